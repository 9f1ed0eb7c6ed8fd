using Microsoft.Extensions.Options;

namespace Atelier.Silo.KServe;

/// <summary>
/// Limits of the KServe v2 front end (<c>/v2</c> REST; the SageMaker front end applies its own body limit on top).
/// Configuration section <c>KServe</c>.
/// </summary>
public sealed class KServeOptions
{
    public const string SectionName = "KServe";

    /// <summary>Largest inference request body (JSON header plus binary tensor data), in bytes, at most 1 GiB. Default: 64 MiB.</summary>
    public long MaxRequestBytes { get; set; } = 64L << 20;

    /// <summary>Most input tensors, and most requested outputs, in one request. Default: 64.</summary>
    public int MaxTensors { get; set; } = 64;

    /// <summary>Most elements in one input tensor (the product of its shape), at most 2^27. Default: 16 777 216 (16 Mi).</summary>
    public long MaxElementsPerTensor { get; set; } = 16L << 20;

    /// <summary>Deepest JSON nesting of a request (nested <c>data</c> arrays count). Default: 32.</summary>
    public int MaxJsonDepth { get; set; } = 32;
}

/// <summary>Checks <see cref="KServeOptions"/> at start.</summary>
internal sealed class KServeOptionsValidator : IValidateOptions<KServeOptions>
{
    public ValidateOptionsResult Validate(string? name, KServeOptions options)
    {
        if (options.MaxRequestBytes is < 1024 or > 1L << 30)
        {
            return ValidateOptionsResult.Fail("KServe:MaxRequestBytes must be in 1024..1073741824 (1 GiB).");
        }

        // 2^27 elements of the widest type (8 bytes) is 1 GiB: a tensor's byte size always fits an int.
        if (options.MaxTensors is < 1 or > 4096 || options.MaxElementsPerTensor is < 1 or > 1L << 27 || options.MaxJsonDepth is < 4 or > 256)
        {
            return ValidateOptionsResult.Fail("KServe:MaxTensors must be in 1..4096, MaxElementsPerTensor in 1..134217728, MaxJsonDepth in 4..256.");
        }

        return ValidateOptionsResult.Success;
    }
}
