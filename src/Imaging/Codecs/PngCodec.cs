using System.Buffers.Binary;
using System.Buffers;
using Atelier.Imaging.Native;

namespace Atelier.Imaging.Codecs;

/// <summary>
/// PNG decoding through libpng's simplified API. <c>png_image_begin_read_from_memory</c> parses the
/// chunks up to the first IDAT (dimensions, colour type), the limits are checked, then
/// <c>png_image_finish_read</c> expands every colour type and bit depth to 8-bit RGB or RGBA.
/// 16-bit samples are declared sRGB-encoded (PNG_IMAGE_FLAG_16BIT_sRGB), so they are scaled to 8 bits
/// (v/257, rounded) rather than gamma-encoded as "linear" data, which is what PIL does too.
/// libpng 1.6.39's simplified API misplaces rows when it reduces an Adam7-interlaced 16-bit file to 8 bits
/// (verified against its 16-bit output), so interlaced 16-bit files are read as 16-bit linear output instead
/// (raw samples for files without gAMA; colour premultiplied by alpha, which is undone) and reduced here.
/// CRC policy is libpng's default: a bad CRC in a critical chunk (IHDR, PLTE, IDAT) is an error;
/// in an ancillary chunk (tEXt, gAMA, …) it is a warning and the chunk is dropped, so such a file
/// still decodes.
/// </summary>
internal static unsafe class PngCodec
{
    public static RgbImage Decode(ReadOnlySpan<byte> data, ImageDecodeOptions options)
    {
        // libpng itself refuses sides over 1,000,000 (its user limit) as an error; read IHDR first so an
        // oversized header is reported as too large, not corrupt, whatever libpng's limits are.
        if (data.Length >= 24 && data.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            long declaredWidth = BinaryPrimitives.ReadUInt32BigEndian(data[16..]);
            long declaredHeight = BinaryPrimitives.ReadUInt32BigEndian(data[20..]);
            if (declaredWidth > 0 && declaredHeight > 0)
            {
                DecodeLimits.Check(declaredWidth, declaredHeight, options);
            }
        }

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
                if ((png.Format & LibPngNative.FormatFlagLinear) != 0 && data[InterlaceOffset] != 0)
                {
                    ReadInterlaced16(&png, image, hasAlpha, options.KeepAlpha);
                }
                else if (hasAlpha)
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

    /// <summary>Interlace method byte: signature (8) + chunk length (4) + "IHDR" (4) + width, height (8) + depth, colour type, compression, filter (4).</summary>
    private const int InterlaceOffset = 28;

    private static void ReadInterlaced16(PngImage* png, RgbImage image, bool hasAlpha, bool keepAlpha)
    {
        int width = image.Width, height = image.Height, channels = hasAlpha ? 4 : 3;
        png->Flags &= ~LibPngNative.ImageFlag16BitSrgb;
        png->Format = LibPngNative.FormatFlagLinear | (hasAlpha ? LibPngNative.FormatRgba : LibPngNative.FormatRgb);
        var samples = ArrayPool<ushort>.Shared.Rent(width * height * channels);
        try
        {
            fixed (ushort* dst = samples)
            {
                Finish(png, (byte*)dst, width * channels); // stride in samples
            }

            if (hasAlpha && keepAlpha)
            {
                image.Alpha = new Mask(width, height, clear: false);
            }

            var rgb = image.Pixels;
            var alpha = image.Alpha is { } a ? a.Data : default;
            for (int i = 0, s = 0; i < width * height; i++, s += channels)
            {
                if (hasAlpha)
                {
                    uint al = samples[s + 3];
                    for (var c = 0; c < 3; c++)
                    {
                        // undo the premultiplication: c = c_premultiplied · 65535 / alpha, rounded
                        var v = al == 0 ? 0u : Math.Min(65535u, ((samples[s + c] * 65535u) + (al / 2)) / al);
                        rgb[(i * 3) + c] = (byte)((v + 128) / 257);
                    }

                    if (!alpha.IsEmpty)
                    {
                        alpha[i] = (byte)((al + 128) / 257);
                    }
                }
                else
                {
                    for (var c = 0; c < 3; c++)
                    {
                        rgb[(i * 3) + c] = (byte)((samples[s + c] + 128u) / 257);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<ushort>.Shared.Return(samples);
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
