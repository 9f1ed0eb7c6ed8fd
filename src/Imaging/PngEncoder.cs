using Atelier.Imaging.Native;

namespace Atelier.Imaging;

/// <summary>PNG encoding through libpng's simplified write API (8-bit gray for masks, 8-bit RGB for images).</summary>
public static unsafe class PngEncoder
{
    /// <summary>Encodes a mask (or any 8-bit plane) as an 8-bit grayscale PNG, bytes as they are (0/255 masks stay 0/255).</summary>
    public static byte[] Encode(Mask mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        return Encode(mask.Data, mask.Width, mask.Height, LibPngNative.FormatGray, mask.Width);
    }

    /// <summary>Encodes an RGB image as an 8-bit RGB PNG.</summary>
    public static byte[] Encode(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Encode(image.Pixels, image.Width, image.Height, LibPngNative.FormatRgb, image.Stride);
    }

    private static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, uint format, int stride)
    {
        fixed (byte* buffer = pixels)
        {
            // Two calls, as png.h describes: the first with memory = NULL sizes the output, the second writes it.
            var png = NewImage(width, height, format);
            nuint size = 0;
            try
            {
                if (LibPngNative.WriteToMemory(&png, null, &size, 0, buffer, stride, null) == 0)
                {
                    throw new InvalidOperationException($"libpng could not size the PNG: {LibPngNative.MessageOf(&png)}");
                }
            }
            finally
            {
                LibPngNative.Free(&png);
            }

            var output = new byte[(int)size];
            png = NewImage(width, height, format);
            try
            {
                fixed (byte* memory = output)
                {
                    if (LibPngNative.WriteToMemory(&png, memory, &size, 0, buffer, stride, null) == 0)
                    {
                        throw new InvalidOperationException($"libpng could not write the PNG: {LibPngNative.MessageOf(&png)}");
                    }
                }
            }
            finally
            {
                LibPngNative.Free(&png);
            }

            return size == (nuint)output.Length ? output : output.AsSpan(0, (int)size).ToArray();
        }
    }

    private static PngImage NewImage(int width, int height, uint format)
    {
        var png = default(PngImage);
        png.Version = LibPngNative.ImageVersion;
        png.Width = (uint)width;
        png.Height = (uint)height;
        png.Format = format;
        return png;
    }
}
