using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace Atelier.Models.Onnx;

/// <summary>
/// Creates the process's one ONNX Runtime environment (<see cref="OrtEnv"/>) the way ORT's C# API provides:
/// <see cref="OrtEnv.CreateInstanceWithOptions"/> with <see cref="OrtThreadingOptions"/> (the global intra-/inter-op
/// thread pools every session shares) and a logging callback that forwards ORT's log to <see cref="ILogger"/>.
/// Call <see cref="Initialize"/> at start-up, before any session exists; <see cref="EnsureCreated"/> creates it
/// with defaults when nobody did (tests, tools).
/// </summary>
public static partial class OnnxRuntimeEnvironment
{
    /// <summary>The <see cref="ILogger"/> category ORT's messages arrive under.</summary>
    public const string LogCategory = "Atelier.Models.Onnx.OnnxRuntime";

    private static readonly Lock s_gate = new();

    // Kept alive for the process: ORT calls the delegate for as long as the environment lives.
    private static readonly DOrtLoggingFunction s_logCallback = Forward;
    private static ILogger s_logger = NullLogger.Instance;
    private static OnnxRuntimeOptions? s_options;

    /// <summary>The options the environment was created with, or null before it exists.</summary>
    public static OnnxRuntimeOptions? Options => Volatile.Read(ref s_options);

    /// <summary>The ONNX Runtime version of the native library in use, e.g. <c>1.31.1</c>.</summary>
    public static string Version => EnsureCreated().GetVersionString();

    /// <summary>Execution providers compiled into the native library, e.g. <c>CPUExecutionProvider</c>, <c>CUDAExecutionProvider</c>.</summary>
    public static IReadOnlyList<string> AvailableProviders => EnsureCreated().GetAvailableProviders();

    /// <summary>
    /// Creates the environment with <paramref name="options"/> and routes ORT's log to <paramref name="loggerFactory"/>
    /// (category <see cref="LogCategory"/>; a null factory leaves the destination as it is). When the environment already
    /// exists (one per process, and ORT cannot re-create it) only the log destination is updated; differing thread
    /// settings are reported as a warning.
    /// </summary>
    public static OrtEnv Initialize(OnnxRuntimeOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        options ??= new OnnxRuntimeOptions();
        options.Validate();
        var logger = loggerFactory?.CreateLogger(LogCategory);
        lock (s_gate)
        {
            if (logger is not null)
            {
                Volatile.Write(ref s_logger, logger);
            }

            if (s_options is { } existing)
            {
                if (existing.IntraOpThreads != options.IntraOpThreads || existing.InterOpThreads != options.InterOpThreads
                    || existing.AllowSpinning != options.AllowSpinning)
                {
                    LogAlreadyCreated(Volatile.Read(ref s_logger), existing.IntraOpThreads, existing.InterOpThreads);
                }

                return OrtEnv.Instance();
            }

            using var threading = new OrtThreadingOptions
            {
                GlobalIntraOpNumThreads = options.IntraOpThreads,
                GlobalInterOpNumThreads = options.InterOpThreads,
                GlobalSpinControl = options.AllowSpinning,
            };
            var creation = new EnvironmentCreationOptions
            {
                logId = options.LogId,
                logLevel = ToOrtLevel(options.LogLevel),
                threadOptions = threading,
                loggingFunction = s_logCallback,
            };
            var env = OrtEnv.CreateInstanceWithOptions(ref creation);
            Volatile.Write(ref s_options, options);
            return env;
        }
    }

    /// <summary>The environment, created with default <see cref="OnnxRuntimeOptions"/> when <see cref="Initialize"/> was not called.</summary>
    public static OrtEnv EnsureCreated() => Volatile.Read(ref s_options) is null ? Initialize() : OrtEnv.Instance();

    /// <summary>True once the environment exists.</summary>
    public static bool IsCreated => Volatile.Read(ref s_options) is not null;

    /// <summary>ORT severity for the least severe <see cref="LogLevel"/> to forward.</summary>
    internal static OrtLoggingLevel ToOrtLevel(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE,
        LogLevel.Information => OrtLoggingLevel.ORT_LOGGING_LEVEL_INFO,
        LogLevel.Warning => OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
        LogLevel.Error => OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        _ => OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
    };

    private static LogLevel ToLogLevel(OrtLoggingLevel severity) => severity switch
    {
        OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE => LogLevel.Debug,
        OrtLoggingLevel.ORT_LOGGING_LEVEL_INFO => LogLevel.Information,
        OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING => LogLevel.Warning,
        OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR => LogLevel.Error,
        _ => LogLevel.Critical,
    };

    private static void Forward(IntPtr param, OrtLoggingLevel severity, string category, string logId, string codeLocation, string message)
    {
        // Called by ORT on its own threads: an exception must never unwind into native code.
        try
        {
            OrtMessage(Volatile.Read(ref s_logger), ToLogLevel(severity), category, logId, codeLocation, message);
        }
        catch (Exception)
        {
            // Logging failed; nothing sensible is left to do here.
        }
    }
}
