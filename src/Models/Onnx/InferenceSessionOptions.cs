using Microsoft.ML.OnnxRuntime;

namespace Atelier.Models.Onnx;

/// <summary>
/// Per-session ONNX Runtime settings (configuration section <c>Models:Loader:Session</c>), turned into ORT's
/// <see cref="SessionOptions"/> by <see cref="OnnxSessions.CreateSessionOptions"/>.
/// </summary>
public sealed class InferenceSessionOptions
{
    /// <summary>
    /// Run on the process-wide thread pools sized by <see cref="OnnxRuntimeOptions"/> (ORT's
    /// <c>DisablePerSessionThreads</c>). Default: <see langword="true"/>. When false the session gets its own pools
    /// of <see cref="IntraOpThreads"/> / <see cref="InterOpThreads"/> threads.
    /// </summary>
    public bool UseGlobalThreadPool { get; set; } = true;

    /// <summary>Threads of the session's own intra-op pool; only with <see cref="UseGlobalThreadPool"/> off. Default: 0 (one per physical core).</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Threads of the session's own inter-op pool; only with <see cref="UseGlobalThreadPool"/> off. Default: 0 (ORT's choice).</summary>
    public int InterOpThreads { get; set; }

    /// <summary>Graph optimization level. Default: <see cref="GraphOptimizationLevel.ORT_ENABLE_ALL"/>.</summary>
    public GraphOptimizationLevel GraphOptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>Node scheduling. Default: <see cref="ExecutionMode.ORT_SEQUENTIAL"/>.</summary>
    public ExecutionMode ExecutionMode { get; set; } = ExecutionMode.ORT_SEQUENTIAL;

    /// <summary>Whether the CPU memory arena is used. Default: <see langword="true"/>.</summary>
    public bool EnableCpuMemoryArena { get; set; } = true;

    /// <summary>Whether ORT pre-plans allocations from the first run's pattern. Default: <see langword="true"/>.</summary>
    public bool EnableMemoryPattern { get; set; } = true;

    /// <summary>The execution provider. Default: <see cref="ExecutionProvider.Cpu"/>.</summary>
    public ExecutionProvider ExecutionProvider { get; set; } = ExecutionProvider.Cpu;

    /// <summary>CUDA settings, used when <see cref="ExecutionProvider"/> is <see cref="ExecutionProvider.Cuda"/>. Default: defaults of <see cref="CudaProviderOptions"/>.</summary>
    public CudaProviderOptions Cuda { get; set; } = new();

    /// <summary>
    /// When the CUDA provider cannot be added (CPU-only package, CUDA or cuDNN libraries missing), create CPU
    /// sessions and log a warning instead of refusing to start. Default: <see langword="false"/>.
    /// </summary>
    public bool FallbackToCpu { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a value is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(IntraOpThreads, nameof(IntraOpThreads));
        ArgumentOutOfRangeException.ThrowIfNegative(InterOpThreads, nameof(InterOpThreads));
        if (!Enum.IsDefined(GraphOptimizationLevel))
        {
            throw new ArgumentOutOfRangeException(nameof(GraphOptimizationLevel), GraphOptimizationLevel, "Unknown optimization level.");
        }

        if (!Enum.IsDefined(ExecutionProvider))
        {
            throw new ArgumentOutOfRangeException(nameof(ExecutionProvider), ExecutionProvider, "Unknown execution provider.");
        }

        ArgumentNullException.ThrowIfNull(Cuda, nameof(Cuda));
        Cuda.Validate();
    }
}
