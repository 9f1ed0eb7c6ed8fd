namespace Atelier.Silo.Endpoints;

/// <summary>Body of <c>POST /v1/sessions/{id}/segment</c>.</summary>
internal sealed record SegmentBody
{
    /// <summary>Points <c>[[x, y], ...]</c> in the original image's pixel frame.</summary>
    public double[][]? Points { get; init; }

    /// <summary>One label per point: 1 foreground, 0 background. Default: all 1.</summary>
    public int[]? Labels { get; init; }

    /// <summary>Optional box <c>[x0, y0, x1, y1]</c>.</summary>
    public double[]? Box { get; init; }

    /// <summary>Return three candidate masks instead of one. Default: false.</summary>
    public bool Multimask { get; init; }

    /// <summary>Feed the previous low-resolution mask back into the decoder. Default: false.</summary>
    public bool Refine { get; init; }

    /// <summary>Pixels to grow the mask by. Default: 0.</summary>
    public int Dilate { get; init; }
}

/// <summary>Body of <c>POST /v1/sessions/{id}/select-subject</c> (optional).</summary>
internal sealed record SelectSubjectBody
{
    /// <summary>Pixels to grow the mask by. Default: 0.</summary>
    public int Dilate { get; init; }
}

/// <summary>Body of <c>POST /v1/sessions/{id}/erase</c>.</summary>
internal sealed record EraseBody
{
    /// <summary><c>selection</c> (default) or a base64 PNG mask at the image size.</summary>
    public string? Mask { get; init; } = EditMask.Selection;

    /// <summary>Pixels to grow the mask by before inpainting. Default: 15.</summary>
    public int Dilate { get; init; } = 15;

    /// <summary>Make the result the session's new (undoable) version. Default: true.</summary>
    public bool Apply { get; init; } = true;
}

/// <summary>Body of <c>POST /v1/sessions/{id}/replace</c>.</summary>
internal sealed record ReplaceBody
{
    /// <summary>What to paint into the masked region.</summary>
    public string? Prompt { get; init; }

    /// <summary>What to steer away from (guidance's unconditional branch). Default: none (the empty prompt).</summary>
    public string? NegativePrompt { get; init; }

    /// <summary><c>selection</c> (default) or a base64 PNG mask at the image size.</summary>
    public string? Mask { get; init; } = EditMask.Selection;

    /// <summary>Pixels to grow the mask by. Default: 15.</summary>
    public int Dilate { get; init; } = 15;

    /// <summary>Diffusion steps. Default: 20.</summary>
    public int Steps { get; init; } = 20;

    /// <summary>Classifier-free guidance scale. Default: 7.5.</summary>
    public double Guidance { get; init; } = 7.5;

    /// <summary>Random seed; null for a random one.</summary>
    public long? Seed { get; init; }

    /// <summary>Make the result the session's new version. Default: true.</summary>
    public bool Apply { get; init; } = true;
}
