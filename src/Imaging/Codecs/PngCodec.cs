using System.Buffers;
using Atelier.Imaging.Native;

namespace Atelier.Imaging.Codecs;

/// <summary>
/// PNG decoding through libpng's simplified API. <c>png_image_begin_read_from_memory</c> parses the
/// chunks up to the first IDAT (dimensions, colour type), the limits are checked, then
/// <c>png_image_finish_read</c> expands every colour type and bit depth to 8-bit RGB or RGBA.
/// 16-bit samples are declared sRGB-encoded (PNG_IMAGE_FLAG_16BIT_sRGB), so they are scaled to 8 bits
/// (v/257, rounded) rather than gamma-encoded as "linear" data, which is what PIL does too.
/// CRC policy is libpng's default: a bad CRC in a critical chunk (IHDR, PLTE, IDAT) is an error;
/// in an ancillary chunk (tEXt, gAMA, …) it is a warning and the chunk is dropped, so such a file
/// still decodes.
/// </summary>
internal static unsafe class PngCodec
{
    public static RgbImage Decode(ReadOnlySpan<byte> data, ImageDecodeOptions options)
    {
        var png = default(PngImage);
        png.Version = LibPngNative.ImageVersion;
        RgbImage? image = null;
        byte[]? rgba = null;
        try
        {
            fixed (byte* memory = data)
            {
                if (LibPngNative.BeginReadFromMemory(&png, memory, (nuint)data.Length) == 0)
                {
                    ImageFormatException.ThrowCorrupt($"Invalid PNG header: {LibPngNative.MessageOf(&png)}");
                }

                DecodeLimits.Check(png.Width, png.Height, options);
                int width = (int)png.Width, height = (int)png.Height;
                var hasAlpha = (png.Format & LibPngNative.FormatFlagAlpha) != 0;
                if ((png.Format & LibPngNative.FormatFlagLinear) != 0)
                {
                    png.Flags |= LibPngNative.ImageFlag16BitSrgb;
                }

                image = new RgbImage(width, height);
                if (hasAlpha)
                {
                    png.Format = LibPngNative.FormatRgba;
                    rgba = ArrayPool<byte>.Shared.Rent(width * height * 4);
                    fixed (byte* dst = rgba)
                    {
                        Finish(&png, dst, width * 4);
                    }

                    if (options.KeepAlpha)
                    {
                        image.Alpha = new Mask(width, height, clear: false);
                    }

                    PixelConvert.SplitRgba(rgba.AsSpan(0, width * height * 4), image.Pixels, image.Alpha is { } a ? a.Data : default, options.KeepAlpha);
                }
                else
                {
                    png.Format = LibPngNative.FormatRgb;
                    fixed (byte* dst = image.Pixels)
                    {
                        Finish(&png, dst, width * 3);
                    }
                }
            }

            var result = image;
            image = null;
            return result;
        }
        finally
        {
            LibPngNative.Free(&png);
            image?.Dispose();
            if (rgba is not null)
            {
                ArrayPool<byte>.Shared.Return(rgba);
            }
        }
    }

    private static void Finish(PngImage* png, byte* buffer, int rowStride)
    {
        if (LibPngNative.FinishRead(png, null, buffer, rowStride, null) == 0)
        {
            ImageFormatException.ThrowCorrupt($"Corrupt PNG data: {LibPngNative.MessageOf(png)}");
        }
    }
}
