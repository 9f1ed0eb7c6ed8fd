using System.Buffers.Binary;

namespace Atelier.Imaging;

/// <summary>
/// Reads the EXIF orientation tag (0x0112) from a JPEG's APP1 segment and applies it, so the
/// result matches what PIL's <c>ImageOps.exif_transpose</c> produces:
/// 2 mirror, 3 rotate 180°, 4 flip vertical, 5 transpose, 6 rotate 90° clockwise,
/// 7 transverse, 8 rotate 90° counter-clockwise. Every offset is bounds-checked; a malformed
/// EXIF block means orientation 1, never an error (the pixels are still fine).
/// </summary>
internal static class ExifOrientation
{
    private const int TagOrientation = 0x0112;

    public static int Read(ReadOnlySpan<byte> jpeg)
    {
        var pos = 2; // after SOI
        while (pos + 4 <= jpeg.Length)
        {
            if (jpeg[pos] != 0xFF)
            {
                return 1;
            }

            var marker = jpeg[pos + 1];
            if (marker == 0xFF)
            {
                pos++; // fill byte
                continue;
            }

            if (marker is 0xDA or 0xD9)
            {
                return 1; // start of scan / end of image: no EXIF before the pixels
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(pos + 2)..]);
            if (length < 2 || pos + 2 + length > jpeg.Length)
            {
                return 1;
            }

            var payload = jpeg.Slice(pos + 4, length - 2);
            if (marker == 0xE1 && payload.Length >= 6 && payload[..6].SequenceEqual("Exif\0\0"u8))
            {
                return ReadTiff(payload[6..]);
            }

            pos += 2 + length;
        }

        return 1;
    }

    private static int ReadTiff(ReadOnlySpan<byte> tiff)
    {
        if (tiff.Length < 8)
        {
            return 1;
        }

        bool little;
        if (tiff[0] == 'I' && tiff[1] == 'I')
        {
            little = true;
        }
        else if (tiff[0] == 'M' && tiff[1] == 'M')
        {
            little = false;
        }
        else
        {
            return 1;
        }

        if (U16(tiff[2..], little) != 42)
        {
            return 1;
        }

        var ifd = U32(tiff[4..], little);
        if (ifd > (uint)tiff.Length - 2)
        {
            return 1;
        }

        var count = U16(tiff[(int)ifd..], little);
        var entries = (int)ifd + 2;
        for (var i = 0; i < count; i++)
        {
            var entry = entries + (i * 12);
            if (entry + 12 > tiff.Length)
            {
                return 1;
            }

            if (U16(tiff[entry..], little) != TagOrientation)
            {
                continue;
            }

            // type SHORT (3), count 1: the value sits in the first two bytes of the value field.
            var type = U16(tiff[(entry + 2)..], little);
            var value = type == 3 ? U16(tiff[(entry + 8)..], little) : 1;
            return value is >= 1 and <= 8 ? value : 1;
        }

        return 1;
    }

    /// <summary>Whether an orientation swaps width and height.</summary>
    public static bool SwapsAxes(int orientation) => orientation >= 5;

    /// <summary>Returns a new upright image (the caller disposes <paramref name="source"/>), or <paramref name="source"/> itself for orientation 1.</summary>
    public static RgbImage Apply(RgbImage source, int orientation)
    {
        if (orientation is < 2 or > 8)
        {
            return source;
        }

        int w = source.Width, h = source.Height;
        var swap = SwapsAxes(orientation);
        var result = new RgbImage(swap ? h : w, swap ? w : h);
        var src = source.Pixels;
        var dst = result.Pixels;
        int outW = result.Width, outH = result.Height;

        // For each output pixel (ox, oy) the source pixel is (ix, iy) = base + ox*dx + oy*dy.
        // Walking an output row moves through the source by a fixed step, so the loop is a strided copy.
        (int x0, int y0, int xPerOx, int yPerOx, int xPerOy, int yPerOy) = orientation switch
        {
            2 => (w - 1, 0, -1, 0, 0, 1),
            3 => (w - 1, h - 1, -1, 0, 0, -1),
            4 => (0, h - 1, 1, 0, 0, -1),
            5 => (0, 0, 0, 1, 1, 0),
            6 => (0, h - 1, 0, -1, 1, 0),
            7 => (w - 1, h - 1, 0, -1, -1, 0),
            _ => (w - 1, 0, 0, 1, -1, 0), // 8
        };

        var step = ((yPerOx * w) + xPerOx) * 3;
        for (var oy = 0; oy < outH; oy++)
        {
            var s = ((((y0 + (oy * yPerOy)) * w) + x0 + (oy * xPerOy)) * 3);
            var row = dst.Slice(oy * outW * 3, outW * 3);
            for (var o = 0; o < row.Length; o += 3, s += step)
            {
                row[o] = src[s];
                row[o + 1] = src[s + 1];
                row[o + 2] = src[s + 2];
            }
        }

        return result;
    }

    private static ushort U16(ReadOnlySpan<byte> b, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b);

    private static uint U32(ReadOnlySpan<byte> b, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);
}
