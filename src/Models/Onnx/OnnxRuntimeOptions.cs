using Microsoft.Extensions.Logging;

namespace Atelier.Models.Onnx;

/// <summary>
/// Process-wide ONNX Runtime settings (configuration section <c>Onnx</c>), applied once when the
/// environment (<c>OrtEnv</c>) is created by <see cref="OnnxRuntimeEnvironment.Initialize"/>.
/// The thread settings size ORT's <b>global</b> thread pools, which every session shares (sessions are
/// created with per-session threads disabled unless <see cref="InferenceSessionOptions.UseGlobalThreadPool"/>
/// is turned off), so loading more models does not add threads.
/// </summary>
public sealed class OnnxRuntimeOptions
{
    public const string SectionName = "Onnx";

    /// <summary>
    /// Least severe ORT log message forwarded to <see cref="ILogger"/>. Default: <see cref="LogLevel.Warning"/>.
    /// <see cref="LogLevel.Trace"/> and <see cref="LogLevel.Debug"/> map to ORT's verbose level;
    /// <see cref="LogLevel.None"/> forwards only fatal messages.
    /// </summary>
    public LogLevel LogLevel { get; set; } = LogLevel.Warning;

    /// <summary>Identifier ORT puts on its log lines. Default: <c>atelier</c>.</summary>
    public string LogId { get; set; } = "atelier";

    /// <summary>Threads of the global intra-op pool (inside one operator), shared by all sessions. Default: 0 (ORT's choice: one per physical core).</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Threads of the global inter-op pool (across operators, parallel execution mode only). Default: 0 (ORT's choice).</summary>
    public int InterOpThreads { get; set; }

    /// <summary>
    /// Whether idle pool threads spin waiting for work. Default: <see langword="false"/> (ORT's own default is to spin):
    /// in a silo the spinning threads take the cores that Kestrel, Orleans, mask post-processing and the other
    /// concurrent run need; measured with P5 (docs/benchmarks.md, "Throughput and thread pools") spinning lost 8–15 %
    /// of the clicks per second at 8 and 64 sessions and gained nothing at one.
    /// </summary>
    public bool AllowSpinning { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a value is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(IntraOpThreads, nameof(IntraOpThreads));
        ArgumentOutOfRangeException.ThrowIfNegative(InterOpThreads, nameof(InterOpThreads));
        ArgumentException.ThrowIfNullOrEmpty(LogId, nameof(LogId));
    }
}
