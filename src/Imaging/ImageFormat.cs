namespace Atelier.Imaging;

/// <summary>An encoded image format recognised from its magic bytes.</summary>
public enum ImageFormat
{
    /// <summary>Not a supported format.</summary>
    Unknown = 0,

    /// <summary>JPEG (JFIF/Exif; baseline or progressive).</summary>
    Jpeg,

    /// <summary>PNG (any colour type, 1 to 16 bits, interlaced or not).</summary>
    Png,

    /// <summary>WebP (lossy, lossless, with or without alpha; of an animated file, the first frame).</summary>
    WebP,
}
