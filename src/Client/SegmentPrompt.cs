namespace Atelier.Client;

/// <summary>A segmentation prompt: points (label 1 foreground, 0 background) and/or a box, in original image pixels.</summary>
public sealed record SegmentPrompt
{
    public IReadOnlyList<PromptPoint> Points { get; init; } = [];

    /// <summary>Optional box <c>(x0, y0, x1, y1)</c>.</summary>
    public PromptBox? Box { get; init; }

    public bool Multimask { get; init; }

    public bool Refine { get; init; }

    /// <summary>Pixels to grow the mask by (0..64).</summary>
    public int Dilate { get; init; }

    /// <summary>A prompt of foreground points.</summary>
    public static SegmentPrompt At(params PromptPoint[] points) => new() { Points = points };
}

/// <summary>A prompt point; <paramref name="Label"/> is 1 (foreground) or 0 (background).</summary>
public readonly record struct PromptPoint(double X, double Y, int Label = 1);

/// <summary>A box prompt as two corners.</summary>
public readonly record struct PromptBox(double X0, double Y0, double X1, double Y1);
