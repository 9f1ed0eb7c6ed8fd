namespace Atelier.Models.Adapters;

/// <summary>A click in original image pixels: positive (foreground) or negative (background).</summary>
public readonly record struct SamPoint(float X, float Y, bool Positive);

/// <summary>A box in original image pixels: top-left (X1, Y1) and bottom-right (X2, Y2) corners.</summary>
public readonly record struct SamBox(float X1, float Y1, float X2, float Y2);

/// <summary>What the user asked for: clicks and/or one box.</summary>
public sealed record SamPrompt(IReadOnlyList<SamPoint> Points, SamBox? Box = null)
{
    /// <summary>A prompt of clicks only.</summary>
    public static SamPrompt FromPoints(params SamPoint[] points) => new(points);
}

/// <summary>How many masks a decode returns.</summary>
public enum SamMaskOutput
{
    /// <summary>The best mask, chosen like the official export's <c>return_single_mask</c>. Default.</summary>
    Single,

    /// <summary>The three multimask outputs, ranked by predicted IoU (best first).</summary>
    Multiple,
}
