namespace Atelier.Onnx;

/// <summary>Per-session ONNX Runtime settings.</summary>
public sealed class InferenceSessionOptions
{
    /// <summary>Threads used inside one operator. Default: 0 (ORT's choice: one per physical core).</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Threads used across operators in <see cref="ExecutionMode.Parallel"/>. Default: 0 (ORT's choice).</summary>
    public int InterOpThreads { get; set; }

    /// <summary>Graph optimization level. Default: <see cref="GraphOptimizationLevel.All"/>.</summary>
    public GraphOptimizationLevel GraphOptimizationLevel { get; set; } = GraphOptimizationLevel.All;

    /// <summary>Node scheduling. Default: <see cref="ExecutionMode.Sequential"/>.</summary>
    public ExecutionMode ExecutionMode { get; set; } = ExecutionMode.Sequential;

    /// <summary>Whether the CPU memory arena is used. Default: <see langword="true"/>.</summary>
    public bool EnableCpuMemoryArena { get; set; } = true;

    /// <summary>Whether ORT pre-plans allocations from the first run's pattern. Default: <see langword="true"/>.</summary>
    public bool EnableMemoryPattern { get; set; } = true;

    /// <summary>The execution provider. Default: <see cref="ExecutionProvider.Cpu"/>.</summary>
    public ExecutionProvider ExecutionProvider { get; set; } = ExecutionProvider.Cpu;

    /// <summary>CUDA settings, used when <see cref="ExecutionProvider"/> is <see cref="ExecutionProvider.Cuda"/>. Default: defaults of <see cref="CudaProviderOptions"/>.</summary>
    public CudaProviderOptions Cuda { get; set; } = new();

    /// <summary>
    /// When the CUDA provider cannot be added (e.g. its library is missing), create a CPU session and
    /// log a warning instead of throwing. Default: <see langword="false"/>.
    /// </summary>
    public bool FallbackToCpu { get; set; }

    /// <summary>Throws when a value is out of range.</summary>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(IntraOpThreads, nameof(IntraOpThreads));
        ArgumentOutOfRangeException.ThrowIfNegative(InterOpThreads, nameof(InterOpThreads));
        if (!Enum.IsDefined(GraphOptimizationLevel))
        {
            throw new ArgumentOutOfRangeException(nameof(GraphOptimizationLevel), GraphOptimizationLevel, "Unknown optimization level.");
        }

        ArgumentNullException.ThrowIfNull(Cuda, nameof(Cuda));
        Cuda.Validate();
    }
}
