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
public sealed record ReplaceOptions(string Prompt)
{
    public byte[]? MaskPng { get; init; }

    public int Dilate { get; init; } = 15;

    public int Steps { get; init; } = 20;

    public double Guidance { get; init; } = 7.5;

    public long? Seed { get; init; }

    public bool Apply { get; init; } = true;
}

/// <summary>Encodings of <see cref="AtelierClient.GetImageAsync"/>.</summary>
public enum ImageFormat
{
    Png,
    Jpeg,
}
