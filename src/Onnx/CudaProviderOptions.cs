namespace Atelier.Onnx;

/// <summary>CUDA execution provider settings, passed to ORT through <c>OrtCUDAProviderOptionsV2</c>.</summary>
public sealed class CudaProviderOptions
{
    /// <summary>File ORT loads at run time for the CUDA provider, from the folder of <c>libonnxruntime.so.1</c>.</summary>
    public const string ProviderLibraryFileName = "libonnxruntime_providers_cuda.so";

    /// <summary>The provider bridge ORT loads before any provider library, from the same folder.</summary>
    public const string SharedProviderLibraryFileName = "libonnxruntime_providers_shared.so";

    /// <summary>CUDA device ordinal. Default: 0.</summary>
    public int DeviceId { get; set; }

    /// <summary>Upper bound of the CUDA memory arena, in bytes. Default: <see langword="null"/> (no limit).</summary>
    public long? GpuMemoryLimitBytes { get; set; }

    /// <summary>How the device arena grows. Default: <see cref="CudaArenaExtendStrategy.NextPowerOfTwo"/>.</summary>
    public CudaArenaExtendStrategy ArenaExtendStrategy { get; set; } = CudaArenaExtendStrategy.NextPowerOfTwo;

    /// <summary>cuDNN convolution algorithm search. Default: <see cref="CudnnConvAlgoSearch.Exhaustive"/> (ORT's default).</summary>
    public CudnnConvAlgoSearch CudnnConvAlgoSearch { get; set; } = CudnnConvAlgoSearch.Exhaustive;

    /// <summary>The key/value pairs ORT's <c>UpdateCUDAProviderOptions</c> takes.</summary>
    internal IReadOnlyList<KeyValuePair<string, string>> ToProviderOptions()
    {
        var options = new List<KeyValuePair<string, string>>(4)
        {
            new("device_id", DeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("arena_extend_strategy", ArenaExtendStrategy == CudaArenaExtendStrategy.SameAsRequested ? "kSameAsRequested" : "kNextPowerOfTwo"),
            new("cudnn_conv_algo_search", CudnnConvAlgoSearch switch
            {
                CudnnConvAlgoSearch.Heuristic => "HEURISTIC",
                CudnnConvAlgoSearch.Default => "DEFAULT",
                _ => "EXHAUSTIVE",
            }),
        };
        if (GpuMemoryLimitBytes is { } limit)
        {
            options.Add(new("gpu_mem_limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return options;
    }

    /// <summary>Throws when a value is out of range.</summary>
    internal void Validate()
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
