using SkiaSharp;

namespace Atelier.Imaging;

/// <summary>WebP encoding on Skia's libwebp encoder.</summary>
public static class WebPEncoder
{
    /// <summary>
    /// Encodes an RGB image, with its <see cref="RgbImage.Alpha"/> plane when it has one. Lossy by default;
    /// <paramref name="quality"/> is 0..100 (lossy: quality; lossless: compression effort), default 90.
    /// </summary>
    public static byte[] Encode(RgbImage image, bool lossless = false, int quality = 90)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfNegative(quality);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        var options = new SKWebpEncoderOptions(lossless ? SKWebpEncoderCompression.Lossless : SKWebpEncoderCompression.Lossy, quality);
        return SkiaEncoder.EncodeRgb(image, withAlpha: true, pixmap => pixmap.Encode(options));
    }
}
