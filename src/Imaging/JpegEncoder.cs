using SkiaSharp;

namespace Atelier.Imaging;

/// <summary>JPEG encoding on Skia's libjpeg-turbo encoder.</summary>
public static class JpegEncoder
{
    /// <summary>Encodes an RGB image (its alpha plane, if any, is not written). <paramref name="quality"/> is 1..100 (default 90); 4:2:0 chroma subsampling below 90, 4:4:4 from 90 up.</summary>
    public static byte[] Encode(RgbImage image, int quality = 90)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        var options = new SKJpegEncoderOptions(
            quality, quality >= 90 ? SKJpegEncoderDownsample.Downsample444 : SKJpegEncoderDownsample.Downsample420, SKJpegEncoderAlphaOption.Ignore);
        return SkiaEncoder.EncodeRgb(image, withAlpha: false, pixmap => pixmap.Encode(options));
    }
}
