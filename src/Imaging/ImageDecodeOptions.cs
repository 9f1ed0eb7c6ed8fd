namespace Atelier.Imaging;

/// <summary>Limits and behaviour of <see cref="ImageDecoder"/>. All limits are checked from the header, before pixels are allocated.</summary>
public sealed class ImageDecodeOptions
{
    /// <summary>Shared instance with the defaults.</summary>
    public static ImageDecodeOptions Default { get; } = new();

    /// <summary>Largest accepted encoded upload, in bytes. Default 33,554,432 (32 MiB).</summary>
    public long MaxEncodedBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>Largest accepted width × height, in pixels. Default 40,000,000 (40 megapixels).</summary>
    public long MaxPixels { get; init; } = 40_000_000;

    /// <summary>Largest accepted width or height, in pixels. Default 16,384.</summary>
    public int MaxSide { get; init; } = 16_384;

    /// <summary>
    /// Most scans (start-of-scan markers) accepted in one JPEG, checked before decoding. Default 500. Each scan of a
    /// progressive file is a pass over the whole image, so thousands of tiny scans make a small file cost minutes of CPU.
    /// </summary>
    public int MaxJpegScans { get; init; } = 500;

    /// <summary>Whether the EXIF orientation (1–8, as Skia reads it from JPEG, WebP and PNG files) is applied so pixels come out upright. Default <see langword="true"/>.</summary>
    public bool ApplyExifOrientation { get; init; } = true;

    /// <summary>Whether an alpha channel in the source is kept in <see cref="RgbImage.Alpha"/>. Default <see langword="true"/>.</summary>
    public bool KeepAlpha { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a limit is not positive.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxEncodedBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxPixels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxSide);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxJpegScans);
    }
}
