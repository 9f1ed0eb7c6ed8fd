using Atelier.Models.Onnx;
using Atelier.Models.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Atelier.Models.Tests.Onnx;

public sealed class EnvironmentTests
{
    [Fact]
    public void ORT_warnings_reach_the_configured_ILogger()
    {
        using var log = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(log));
        OnnxRuntimeEnvironment.Initialize(loggerFactory: factory);

        // An initializer no node uses makes ORT warn while it loads the graph.
        using var session = OnnxSessions.Open(TestModels.UnusedInitializer("never_used_weight"), new InferenceSessionOptions()).Session;

        Assert.Contains(log.Entries, e => e.Category == OnnxRuntimeEnvironment.LogCategory && e.Level == LogLevel.Warning
            && e.EventId.Id == 100 && e.Message.Contains("never_used_weight", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(LogLevel.Trace, OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE)]
    [InlineData(LogLevel.Debug, OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE)]
    [InlineData(LogLevel.Information, OrtLoggingLevel.ORT_LOGGING_LEVEL_INFO)]
    [InlineData(LogLevel.Warning, OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING)]
    [InlineData(LogLevel.Error, OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR)]
    [InlineData(LogLevel.Critical, OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL)]
    [InlineData(LogLevel.None, OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL)]
    public void Log_levels_map_to_ORT_severities(LogLevel level, OrtLoggingLevel severity) =>
        Assert.Equal(severity, OnnxRuntimeEnvironment.ToOrtLevel(level));

    [Fact]
    public void The_environment_is_created_once_and_reports_the_package_version()
    {
        var env = OnnxRuntimeEnvironment.EnsureCreated();

        Assert.Same(env, OnnxRuntimeEnvironment.Initialize(new OnnxRuntimeOptions { IntraOpThreads = 3 }));
        Assert.True(OnnxRuntimeEnvironment.IsCreated);
        Assert.StartsWith("1.31.", OnnxRuntimeEnvironment.Version, StringComparison.Ordinal);
        Assert.Contains("CPUExecutionProvider", OnnxRuntimeEnvironment.AvailableProviders);
    }

    [Fact]
    public void Negative_global_thread_counts_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxRuntimeEnvironment.Initialize(new OnnxRuntimeOptions { IntraOpThreads = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxRuntimeEnvironment.Initialize(new OnnxRuntimeOptions { InterOpThreads = -2 }));
    }
}
