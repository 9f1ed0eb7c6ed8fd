namespace Atelier.Models.Onnx;

/// <summary>CUDA execution provider settings (section <c>Models:Loader:Session:Cuda</c>), passed to ORT as <see cref="Microsoft.ML.OnnxRuntime.OrtCUDAProviderOptions"/>.</summary>
public sealed class CudaProviderOptions
{
    /// <summary>CUDA device ordinal. Default: 0.</summary>
    public int DeviceId { get; set; }

    /// <summary>Upper bound of the CUDA memory arena, in bytes. Default: <see langword="null"/> (no limit).</summary>
    public long? GpuMemoryLimitBytes { get; set; }

    /// <summary>How the device arena grows. Default: <see cref="CudaArenaExtendStrategy.NextPowerOfTwo"/>.</summary>
    public CudaArenaExtendStrategy ArenaExtendStrategy { get; set; } = CudaArenaExtendStrategy.NextPowerOfTwo;

    /// <summary>cuDNN convolution algorithm search. Default: <see cref="CudnnConvAlgoSearch.Exhaustive"/> (ORT's default).</summary>
    public CudnnConvAlgoSearch CudnnConvAlgoSearch { get; set; } = CudnnConvAlgoSearch.Exhaustive;

    /// <summary>The key/value pairs <see cref="Microsoft.ML.OnnxRuntime.OrtCUDAProviderOptions.UpdateOptions"/> takes.</summary>
    internal Dictionary<string, string> ToProviderOptions()
    {
        var options = new Dictionary<string, string>(4, StringComparer.Ordinal)
        {
            ["device_id"] = DeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["arena_extend_strategy"] = ArenaExtendStrategy == CudaArenaExtendStrategy.SameAsRequested ? "kSameAsRequested" : "kNextPowerOfTwo",
            ["cudnn_conv_algo_search"] = CudnnConvAlgoSearch switch
            {
                CudnnConvAlgoSearch.Heuristic => "HEURISTIC",
                CudnnConvAlgoSearch.Default => "DEFAULT",
                _ => "EXHAUSTIVE",
            },
        };
        if (GpuMemoryLimitBytes is { } limit)
        {
            options["gpu_mem_limit"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return options;
    }

    /// <summary>Throws when a value is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(DeviceId, nameof(DeviceId));
        if (GpuMemoryLimitBytes is { } limit)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit, nameof(GpuMemoryLimitBytes));
        }
    }
}

/// <summary>How the CUDA memory arena grows.</summary>
public enum CudaArenaExtendStrategy
{
    NextPowerOfTwo = 0,
    SameAsRequested = 1,
}

/// <summary>cuDNN convolution algorithm search (ORT's <c>OrtCudnnConvAlgoSearch</c>).</summary>
public enum CudnnConvAlgoSearch
{
    Exhaustive = 0,
    Heuristic = 1,
    Default = 2,
}
