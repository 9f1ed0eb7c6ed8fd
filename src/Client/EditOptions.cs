namespace Atelier.Client;

/// <summary>Options of erase: the mask (null for the session's selection), dilation and whether to apply.</summary>
public sealed record EraseOptions
{
    /// <summary>A PNG mask at the image size; null to erase the current selection.</summary>
    public byte[]? MaskPng { get; init; }

    /// <summary>Pixels to grow the mask by. Default: 15.</summary>
    public int Dilate { get; init; } = 15;

    /// <summary>Make the result the session's new version. Default: true.</summary>
    public bool Apply { get; init; } = true;
}

/// <summary>Options of replace (text-guided inpainting).</summary>
/// <param name="Prompt">What to paint into the masked region.</param>
public sealed record ReplaceOptions(string Prompt)
{
    /// <summary>What to steer away from; null for none.</summary>
    public string? NegativePrompt { get; init; }

    /// <summary>A PNG mask at the image size; null to replace the current selection.</summary>
    public byte[]? MaskPng { get; init; }

    /// <summary>Pixels to grow the mask by; only pixels inside the grown mask change. Default: 15.</summary>
    public int Dilate { get; init; } = 15;

    /// <summary>Denoising steps. Default: 20.</summary>
    public int Steps { get; init; } = 20;

    /// <summary>Classifier-free guidance scale. Default: 7.5.</summary>
    public double Guidance { get; init; } = 7.5;

    /// <summary>Seed; the same seed gives the same pixels. Default: null (random).</summary>
    public long? Seed { get; init; }

    /// <summary>Make the result the session's new version. Default: true.</summary>
    public bool Apply { get; init; } = true;
}

/// <summary>Progress of a replace: <paramref name="Step"/> of <paramref name="Steps"/> denoising steps done.</summary>
public readonly record struct ReplaceProgress(int Step, int Steps);

/// <summary>A finished replace: the edited image (PNG, original size) and the session afterwards.</summary>
public sealed record ReplaceResult(byte[] ImagePng, SessionInfo Session);

/// <summary>Encodings of <see cref="AtelierClient.GetImageAsync"/>.</summary>
public enum ImageFormat
{
    Png,
    Jpeg,
}
