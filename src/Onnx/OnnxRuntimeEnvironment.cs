using System.Runtime.InteropServices;
using System.Text;
using Atelier.Onnx.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atelier.Onnx;

/// <summary>
/// The one ONNX Runtime environment of the process (<c>OrtEnv</c>): loads the library, routes ORT's
/// log to <see cref="ILogger"/> and owns the CPU allocator every tensor defaults to. Create it once
/// with <see cref="Initialize"/> at start-up; <see cref="Shared"/> creates it with defaults otherwise.
/// </summary>
public sealed unsafe partial class OnnxRuntimeEnvironment
{
    private static readonly Lock s_gate = new();
    private static OnnxRuntimeEnvironment? s_instance;
    private static ILogger s_ortLogger = NullLogger.Instance;

    private OnnxRuntimeEnvironment(OrtLibrary library, OrtEnvHandle handle, ILoggerFactory loggerFactory, OnnxRuntimeOptions options)
    {
        Library = library;
        Handle = handle;
        LoggerFactory = loggerFactory;
        Options = options;
        nint allocator;
        OrtStatus.Check(library.Api.GetAllocatorWithDefaultOptions(&allocator));
        DefaultAllocator = allocator;
        AvailableProviders = ReadAvailableProviders(library.Api);
    }

    /// <summary>The environment, created with default options on first use if <see cref="Initialize"/> was not called.</summary>
    public static OnnxRuntimeEnvironment Shared => Volatile.Read(ref s_instance) ?? Initialize();

    /// <summary>Native ONNX Runtime objects currently owned by this binding (sessions, tensors, bindings, ...).</summary>
    public static long LiveHandleCount => OrtHandle.LiveCount;

    /// <summary>The ONNX Runtime version string, e.g. <c>1.30.0</c>.</summary>
    public string Version => Library.Version;

    /// <summary>The full path of the loaded library.</summary>
    public string LibraryPath => Library.Path;

    /// <summary>Execution providers compiled into the loaded library, e.g. <c>CPUExecutionProvider</c>.</summary>
    public IReadOnlyList<string> AvailableProviders { get; }

    /// <summary>The options the environment was created with.</summary>
    public OnnxRuntimeOptions Options { get; }

    internal OrtLibrary Library { get; }

    internal OrtApi Api => Library.Api;

    internal OrtEnvHandle Handle { get; }

    internal ILoggerFactory LoggerFactory { get; }

    /// <summary><c>OrtAllocator*</c>: ORT's default CPU allocator; process-lifetime, never released.</summary>
    internal nint DefaultAllocator { get; }

    /// <summary>
    /// Creates the process-wide environment. A second call returns the existing environment when it
    /// asks for the same library, and throws when it asks for another one.
    /// </summary>
    public static OnnxRuntimeEnvironment Initialize(OnnxRuntimeOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        options ??= new OnnxRuntimeOptions();
        lock (s_gate)
        {
            if (s_instance is { } existing)
            {
                if (options.LibraryPath is { } requested && Path.GetFullPath(requested) != existing.LibraryPath)
                {
                    throw new InvalidOperationException(
                        $"ONNX Runtime is already loaded from '{existing.LibraryPath}'; one process holds one environment.");
                }

                return existing;
            }

            var library = OrtLibrary.Load(options.LibraryPath);
            loggerFactory ??= NullLoggerFactory.Instance;
            s_ortLogger = loggerFactory.CreateLogger("Atelier.Onnx.OnnxRuntime");
            var logId = Encoding.UTF8.GetBytes(options.LogId + "\0");
            nint env;
            fixed (byte* logIdPtr = logId)
            {
                OrtStatus.Check(library.Api.CreateEnvWithCustomLogger(&OnOrtLog, 0, ToOrtSeverity(options.LogLevel), logIdPtr, &env));
            }

            var instance = new OnnxRuntimeEnvironment(library, new OrtEnvHandle(env), loggerFactory, options);
            Volatile.Write(ref s_instance, instance);
            return instance;
        }
    }

    /// <summary>Maps a minimum <see cref="LogLevel"/> to ORT's <c>OrtLoggingLevel</c>.</summary>
    internal static int ToOrtSeverity(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => 0, // ORT_LOGGING_LEVEL_VERBOSE
        LogLevel.Information => 1,             // ORT_LOGGING_LEVEL_INFO
        LogLevel.Warning => 2,                 // ORT_LOGGING_LEVEL_WARNING
        LogLevel.Error => 3,                   // ORT_LOGGING_LEVEL_ERROR
        _ => 4,                                // ORT_LOGGING_LEVEL_FATAL
    };

    private static LogLevel FromOrtSeverity(int severity) => severity switch
    {
        0 => LogLevel.Debug,
        1 => LogLevel.Information,
        2 => LogLevel.Warning,
        3 => LogLevel.Error,
        _ => LogLevel.Critical,
    };

    private static IReadOnlyList<string> ReadAvailableProviders(OrtApi api)
    {
        byte** names;
        int count;
        OrtStatus.Check(api.GetAvailableProviders(&names, &count));
        try
        {
            var result = new string[count];
            for (var i = 0; i < count; i++)
            {
                result[i] = Marshal.PtrToStringUTF8((nint)names[i]) ?? string.Empty;
            }

            return result;
        }
        finally
        {
            OrtStatus.Check(api.ReleaseAvailableProviders(names, count));
        }
    }

    /// <summary>
    /// <c>void OrtLoggingFunction(void* param, OrtLoggingLevel severity, const char* category,
    /// const char* logid, const char* code_location, const char* message)</c>. Must never throw into ORT.
    /// </summary>
    [UnmanagedCallersOnly]
    private static void OnOrtLog(nint param, int severity, byte* category, byte* logId, byte* codeLocation, byte* message)
    {
        try
        {
            var logger = s_ortLogger;
            var level = FromOrtSeverity(severity);
            if (!logger.IsEnabled(level))
            {
                return;
            }

            OrtMessage(
                logger,
                level,
                Marshal.PtrToStringUTF8((nint)category) ?? string.Empty,
                Marshal.PtrToStringUTF8((nint)logId) ?? string.Empty,
                Marshal.PtrToStringUTF8((nint)codeLocation) ?? string.Empty,
                Marshal.PtrToStringUTF8((nint)message) ?? string.Empty);
        }
#pragma warning disable CA1031 // An exception must not unwind into native code; a failing logger loses one line.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
