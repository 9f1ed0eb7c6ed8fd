namespace Atelier.Models.Manifest;

/// <summary>Range of a LaMa model's RGB output.</summary>
public enum LamaOutputRange
{
    /// <summary>Detected per run: values above 1.5 mean 0..255. Default.</summary>
    Auto,

    /// <summary>0..1.</summary>
    Unit,

    /// <summary>0..255.</summary>
    Byte,
}

/// <summary>The <c>lama</c> section of a manifest.</summary>
public sealed record LamaSettings
{
    /// <summary>Fixed square input size S in pixels (512 for the public export); null for a dynamic-size model. Default: 512.</summary>
    public int? Size { get; init; } = 512;

    /// <summary>Output range. Default: <see cref="LamaOutputRange.Auto"/>.</summary>
    public LamaOutputRange OutputRange { get; init; } = LamaOutputRange.Auto;
}
