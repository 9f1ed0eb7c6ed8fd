namespace Atelier.Models.Adapters;

/// <summary>How the <c>sd-inpaint</c> adapter frames and blends a replace. Configuration section <c>Models:Loader:SdInpaint</c>.</summary>
public sealed class SdInpaintOptions
{
    /// <summary>
    /// Side of the square context region cropped around the mask's bounding box, as a multiple of the box's longer side
    /// (the rest is the margin the model sees around the hole); clamped to the image, square where the image allows. Default: 1.5.
    /// </summary>
    public double ContextFactor { get; set; } = 1.5;

    /// <summary>Smallest context side in pixels (clamped to the image). Default: 128.</summary>
    public int MinContextSize { get; set; } = 128;

    /// <summary>
    /// Radius in pixels of the feather inside the mask: the generated pixels are blended in with a weight that ramps up
    /// from the mask's edge over this distance (pixels outside the mask never change). 0: a hard edge. Default: 4.
    /// </summary>
    public int FeatherRadius { get; set; } = 4;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ContextFactor, 1.0, nameof(ContextFactor));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MinContextSize, nameof(MinContextSize));
        ArgumentOutOfRangeException.ThrowIfNegative(FeatherRadius, nameof(FeatherRadius));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(FeatherRadius, 64, nameof(FeatherRadius));
    }
}
