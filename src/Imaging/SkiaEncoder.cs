using SkiaSharp;

namespace Atelier.Imaging;

/// <summary>
/// The one way pixels reach Skia's encoders: an <see cref="SKPixmap"/> over our own memory (no copy into an
/// <see cref="SKBitmap"/>), encoded with the format's options object, the result copied out of the
/// <see cref="SKData"/>. RGB images are widened to RGBA in a pooled buffer first: Skia has no 24-bit pixel type.
/// </summary>
internal static unsafe class SkiaEncoder
{
    /// <summary>Encodes an 8-bit plane as 8-bit grayscale.</summary>
    public static byte[] EncodeGray(ReadOnlySpan<byte> plane, int width, int height, Func<SKPixmap, SKData?> encode)
    {
        fixed (byte* pixels = plane)
        {
            using var pixmap = new SKPixmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque), (IntPtr)pixels, width);
            return Finish(encode(pixmap));
        }
    }

    /// <summary>Encodes an RGB image (with its alpha plane when <paramref name="withAlpha"/> and the image has one).</summary>
    public static byte[] EncodeRgb(RgbImage image, bool withAlpha, Func<SKPixmap, SKData?> encode)
    {
        int width = image.Width, height = image.Height;
        var size = checked(width * height * 4);
        var rgba = ImageBufferPool.Bytes.Rent(size);
        try
        {
            RgbaUnpack.PackOpaque(image.Pixels, rgba.AsSpan(0, size));
            var alpha = withAlpha ? image.Alpha : null;
            if (alpha is not null)
            {
                var source = alpha.Data;
                for (var i = 0; i < source.Length; i++)
                {
                    rgba[(i * 4) + 3] = source[i];
                }
            }

            var info = new SKImageInfo(width, height, SKColorType.Rgba8888, alpha is null ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
            fixed (byte* pixels = rgba)
            {
                using var pixmap = new SKPixmap(info, (IntPtr)pixels, width * 4);
                return Finish(encode(pixmap));
            }
        }
        finally
        {
            ImageBufferPool.Bytes.Return(rgba);
        }
    }

    private static byte[] Finish(SKData? encoded)
    {
        using (encoded)
        {
            return encoded is null ? throw new InvalidOperationException("Skia could not encode the image.") : encoded.ToArray();
        }
    }
}
