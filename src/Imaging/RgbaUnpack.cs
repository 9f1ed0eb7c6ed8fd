using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Atelier.Imaging;

/// <summary>
/// Turns the RGBA8888 (unpremultiplied) pixels a codec wrote into an upright <see cref="RgbImage"/> in one pass:
/// colour into the interleaved RGB buffer, alpha (when kept) into <see cref="RgbImage.Alpha"/>, and the EXIF
/// orientation applied on the way, as PIL's <c>ImageOps.exif_transpose</c> does it:
/// 2 mirror, 3 rotate 180°, 4 flip vertical, 5 transpose, 6 rotate 90° clockwise, 7 transverse,
/// 8 rotate 90° counter-clockwise. Orientation 1 (the common case) is a vectorised 4→3 byte shuffle.
/// </summary>
internal static class RgbaUnpack
{
    /// <summary>Whether an EXIF orientation (1–8) swaps width and height.</summary>
    public static bool SwapsAxes(int orientation) => orientation is >= 5 and <= 8;

    /// <summary>
    /// Writes <paramref name="rgba"/> (<paramref name="width"/> × <paramref name="height"/> stored pixels, stride width·4)
    /// into <paramref name="rgb"/> (and <paramref name="alpha"/>, empty when alpha is not kept), laid out at the upright
    /// size for <paramref name="orientation"/>.
    /// </summary>
    public static void Unpack(ReadOnlySpan<byte> rgba, int width, int height, int orientation, Span<byte> rgb, Span<byte> alpha)
    {
        if (orientation is < 2 or > 8)
        {
            ShuffleRows(rgba, rgb, alpha);
            return;
        }

        // For each output pixel (ox, oy) the stored pixel is (ix, iy) = base + ox·(xPerOx, yPerOx) + oy·(xPerOy, yPerOy):
        // walking an output row moves through the source by a fixed step, so each row is a strided copy.
        (int x0, int y0, int xPerOx, int yPerOx, int xPerOy, int yPerOy) = orientation switch
        {
            2 => (width - 1, 0, -1, 0, 0, 1),
            3 => (width - 1, height - 1, -1, 0, 0, -1),
            4 => (0, height - 1, 1, 0, 0, -1),
            5 => (0, 0, 0, 1, 1, 0),
            6 => (0, height - 1, 0, -1, 1, 0),
            7 => (width - 1, height - 1, 0, -1, -1, 0),
            _ => (width - 1, 0, 0, 1, -1, 0), // 8
        };

        var swap = SwapsAxes(orientation);
        int outW = swap ? height : width, outH = swap ? width : height;
        var step = (yPerOx * width) + xPerOx;
        var source = MemoryMarshal.Cast<byte, uint>(rgba[..(width * height * 4)]);
        var keepAlpha = !alpha.IsEmpty;
        for (var oy = 0; oy < outH; oy++)
        {
            var s = ((y0 + (oy * yPerOy)) * width) + x0 + (oy * xPerOy);
            var row = rgb.Slice(oy * outW * 3, outW * 3);
            var alphaRow = keepAlpha ? alpha.Slice(oy * outW, outW) : default;
            for (int ox = 0, o = 0; ox < outW; ox++, o += 3, s += step)
            {
                var pixel = source[s];
                row[o] = (byte)pixel;
                row[o + 1] = (byte)(pixel >> 8);
                row[o + 2] = (byte)(pixel >> 16);
                if (keepAlpha)
                {
                    alphaRow[ox] = (byte)(pixel >> 24);
                }
            }
        }
    }

    /// <summary>RGBA → RGB (+ alpha) in storage order: 4 pixels per 128-bit shuffle, the tail one by one.</summary>
    private static void ShuffleRows(ReadOnlySpan<byte> rgba, Span<byte> rgb, Span<byte> alpha)
    {
        var pixels = rgb.Length / 3;
        ref var src = ref MemoryMarshal.GetReference(rgba);
        ref var dst = ref MemoryMarshal.GetReference(rgb);
        var keepAlpha = !alpha.IsEmpty;
        var i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var colour = Vector128.Create((byte)0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 0x80, 0x80, 0x80, 0x80);
            var alphas = Vector128.Create((byte)3, 7, 11, 15, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80);

            // Each store writes 16 bytes of which 12 are pixels; stop while 16 bytes still fit in the destination.
            for (; i + 4 <= pixels && (i * 3) + 16 <= rgb.Length; i += 4)
            {
                var v = Vector128.LoadUnsafe(ref src, (nuint)(i * 4));
                Vector128.Shuffle(v, colour).StoreUnsafe(ref dst, (nuint)(i * 3));
                if (keepAlpha)
                {
                    Unsafe.WriteUnaligned(ref alpha[i], Vector128.Shuffle(v, alphas).AsUInt32().ToScalar());
                }
            }
        }

        for (; i < pixels; i++)
        {
            rgb[i * 3] = rgba[i * 4];
            rgb[(i * 3) + 1] = rgba[(i * 4) + 1];
            rgb[(i * 3) + 2] = rgba[(i * 4) + 2];
            if (keepAlpha)
            {
                alpha[i] = rgba[(i * 4) + 3];
            }
        }
    }

    /// <summary>RGB → RGBA with opaque alpha (for the encoders, which take 32-bit pixels).</summary>
    public static void PackOpaque(ReadOnlySpan<byte> rgb, Span<byte> rgba)
    {
        var pixels = rgb.Length / 3;
        ref var src = ref MemoryMarshal.GetReference(rgb);
        ref var dst = ref MemoryMarshal.GetReference(rgba);
        var i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var spread = Vector128.Create((byte)0, 1, 2, 0x80, 3, 4, 5, 0x80, 6, 7, 8, 0x80, 9, 10, 11, 0x80);
            var opaque = Vector128.Create(0xFF000000u).AsByte();

            // Each load reads 16 bytes of which 12 are pixels; stop while 16 bytes can still be read.
            for (; i + 4 <= pixels && (i * 3) + 16 <= rgb.Length; i += 4)
            {
                var v = Vector128.LoadUnsafe(ref src, (nuint)(i * 3));
                (Vector128.Shuffle(v, spread) | opaque).StoreUnsafe(ref dst, (nuint)(i * 4));
            }
        }

        for (; i < pixels; i++)
        {
            rgba[i * 4] = rgb[i * 3];
            rgba[(i * 4) + 1] = rgb[(i * 3) + 1];
            rgba[(i * 4) + 2] = rgb[(i * 3) + 2];
            rgba[(i * 4) + 3] = 255;
        }
    }
}
