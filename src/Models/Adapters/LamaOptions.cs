namespace Atelier.Models.Adapters;

/// <summary>How the <c>lama</c> adapter prepares a fill. Configuration section <c>Models:Lama</c>.</summary>
public sealed class LamaOptions
{
    public const string SectionName = "Models:Lama";

    /// <summary>Side of the square kernel the mask is dilated with before filling, in pixels (1: no dilation). Default: 15.</summary>
    public int DilationKernel { get; set; } = 15;

    /// <summary>
    /// Side of the context window around the (dilated) mask's bounding box, as a multiple of the box's
    /// longer side; the window is clamped to the image. Default: 2.0.
    /// </summary>
    public double ContextFactor { get; set; } = 2.0;

    /// <summary>Smallest context window side in pixels (clamped to the image). Default: 256.</summary>
    public int MinContextSize { get; set; } = 256;

    /// <summary>Largest input side given to a dynamic-size model (manifest <c>lama.size</c> null), in pixels; larger windows are scaled down. Default: 1024.</summary>
    public int MaxDynamicSize { get; set; } = 1024;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(DilationKernel, nameof(DilationKernel));
        ArgumentOutOfRangeException.ThrowIfLessThan(ContextFactor, 1.0, nameof(ContextFactor));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MinContextSize, nameof(MinContextSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDynamicSize, 64, nameof(MaxDynamicSize));
    }
}
