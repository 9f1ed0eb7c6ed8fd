using Microsoft.Extensions.Logging;

namespace Atelier.Onnx.Tests;

public sealed class LoggingTests
{
    [Fact]
    public void ORT_warnings_reach_the_configured_ILogger()
    {
        _ = TestRuntime.Environment;
        // An initializer no node uses makes ORT warn while it loads the graph.
        var model = new Writer.OnnxModelBuilder("unused")
            .Input("x", TensorElementType.Float, 1)
            .Initializer("never_used_weight", [1f, 2f], 2)
            .Node("Identity", ["x"], ["y"])
            .Output("y", TensorElementType.Float, 1)
            .ToBytes();

        using var session = InferenceSession.Load(model);

        Assert.Contains(TestRuntime.Log.Entries, e =>
            e.Category == "Atelier.Onnx.OnnxRuntime" && e.Level == LogLevel.Warning && e.Message.Contains("never_used_weight", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(LogLevel.Trace, 0)]
    [InlineData(LogLevel.Debug, 0)]
    [InlineData(LogLevel.Information, 1)]
    [InlineData(LogLevel.Warning, 2)]
    [InlineData(LogLevel.Error, 3)]
    [InlineData(LogLevel.Critical, 4)]
    [InlineData(LogLevel.None, 4)]
    public void Log_levels_map_to_ORT_severities(LogLevel level, int ortSeverity)
    {
        Assert.Equal(ortSeverity, OnnxRuntimeEnvironment.ToOrtSeverity(level));
    }

    [Fact]
    public void Second_initialization_returns_the_one_process_wide_environment()
    {
        var first = TestRuntime.Environment;

        var second = OnnxRuntimeEnvironment.Initialize(new OnnxRuntimeOptions { LibraryPath = first.LibraryPath });

        Assert.Same(first, second);
        Assert.Same(first, OnnxRuntimeEnvironment.Shared);
        Assert.Throws<InvalidOperationException>(() => OnnxRuntimeEnvironment.Initialize(new OnnxRuntimeOptions { LibraryPath = "/elsewhere/libonnxruntime.so.1" }));
    }
}
