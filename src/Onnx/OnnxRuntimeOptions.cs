using Microsoft.Extensions.Logging;

namespace Atelier.Onnx;

/// <summary>Process-wide ONNX Runtime settings, applied once when the environment is created.</summary>
public sealed class OnnxRuntimeOptions
{
    /// <summary>
    /// Path of <c>libonnxruntime.so.1</c>. Default: <see langword="null"/>, meaning the
    /// <c>ATELIER_ONNXRUNTIME_PATH</c> environment variable, else <c>.atelier/native/libonnxruntime.so.1</c>
    /// in the setup cache (<c>ATELIER_HOME</c> or the nearest ancestor folder holding <c>.atelier/</c>).
    /// </summary>
    public string? LibraryPath { get; set; }

    /// <summary>
    /// Least severe ORT log message forwarded to <see cref="ILogger"/>. Default: <see cref="LogLevel.Warning"/>.
    /// <see cref="LogLevel.Trace"/> and <see cref="LogLevel.Debug"/> map to ORT's verbose level;
    /// <see cref="LogLevel.None"/> forwards only fatal messages.
    /// </summary>
    public LogLevel LogLevel { get; set; } = LogLevel.Warning;

    /// <summary>Identifier ORT puts on its log lines. Default: <c>atelier</c>.</summary>
    public string LogId { get; set; } = "atelier";
}
