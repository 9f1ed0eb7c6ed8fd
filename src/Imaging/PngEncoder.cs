using SkiaSharp;

namespace Atelier.Imaging;

/// <summary>PNG encoding on Skia's libpng encoder: 8-bit gray for masks, 8-bit RGB for images.</summary>
public static class PngEncoder
{
    /// <summary>
    /// zlib level 1 with the None filter: masks are answered on every click, and a 0/255 mask is long runs that
    /// zlib folds at its fastest level.
    /// </summary>
    private static readonly SKPngEncoderOptions MaskOptions = new(SKPngEncoderFilterFlags.None, zLibLevel: 1);

    /// <summary>Photos compress noticeably better with the cheap Sub filter; still the fastest zlib level.</summary>
    private static readonly SKPngEncoderOptions ImageOptions = new(SKPngEncoderFilterFlags.Sub, zLibLevel: 1);

    /// <summary>Encodes a mask (or any 8-bit plane) as an 8-bit grayscale PNG, bytes as they are (0/255 masks stay 0/255).</summary>
    public static byte[] Encode(Mask mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        return SkiaEncoder.EncodeGray(mask.Data, mask.Width, mask.Height, static pixmap => pixmap.Encode(MaskOptions));
    }

    /// <summary>Encodes an RGB image as an 8-bit RGB PNG (its alpha plane, if any, is not written).</summary>
    public static byte[] Encode(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return SkiaEncoder.EncodeRgb(image, withAlpha: false, static pixmap => pixmap.Encode(ImageOptions));
    }
}
