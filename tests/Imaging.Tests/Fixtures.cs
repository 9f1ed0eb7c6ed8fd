using System.Buffers.Binary;

namespace Atelier.Imaging.Tests;

/// <summary>Test images: deterministic patterns, JPEGs from our own writer, WebPs from the product encoder, EXIF insertion.</summary>
internal static class Fixtures
{
    /// <summary>A smooth pattern (JPEG-friendly) with distinct channels.</summary>
    public static byte Smooth(int x, int y, int c) => (byte)Math.Min(255, 10 + (2 * x) + (2 * y) + (30 * c));

    public static RgbImage Image(int width, int height, Func<int, int, int, byte> pixel)
    {
        var image = new RgbImage(width, height);
        var p = image.Pixels;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    p[(((y * width) + x) * 3) + c] = pixel(x, y, c);
                }
            }
        }

        return image;
    }

    public static byte[] Interleave(int width, int height, int channels, Func<int, int, int, byte> pixel)
    {
        var data = new byte[width * height * channels];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                for (var c = 0; c < channels; c++)
                {
                    data[(((y * width) + x) * channels) + c] = pixel(x, y, c);
                }
            }
        }

        return data;
    }

    /// <summary>A JPEG written by <see cref="JpegBuilder"/> (our own writer: baseline or progressive, any layout).</summary>
    public static byte[] Jpeg(byte[] pixels, int width, int height, JpegBuilder.Layout layout, int quality = 95, bool progressive = false) =>
        JpegBuilder.Build(pixels, width, height, layout, quality, progressive);

    /// <summary>A WebP from <see cref="WebPEncoder"/> (Skia's libwebp): <paramref name="pixels"/> are RGB, or RGBA when <paramref name="alpha"/>.</summary>
    public static byte[] WebP(byte[] pixels, int width, int height, bool alpha, bool lossless, int quality = 90)
    {
        using var image = new RgbImage(width, height);
        var channels = alpha ? 4 : 3;
        if (alpha)
        {
            image.Alpha = new Mask(width, height, clear: false);
        }

        for (var i = 0; i < width * height; i++)
        {
            pixels.AsSpan(i * channels, 3).CopyTo(image.Pixels[(i * 3)..]);
            if (image.Alpha is { } a)
            {
                a.Data[i] = pixels[(i * 4) + 3];
            }
        }

        return WebPEncoder.Encode(image, lossless, quality);
    }

    /// <summary>Inserts an APP1 Exif segment holding only the orientation tag right after SOI.</summary>
    public static byte[] WithExifOrientation(byte[] jpeg, int orientation, bool bigEndian)
    {
        var tiff = new byte[8 + 2 + 12 + 4];
        if (bigEndian)
        {
            "MM"u8.CopyTo(tiff);
            BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(2), 42);
            BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(4), 8);
            BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(8), 1);
            BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(10), 0x0112);
            BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(12), 3);
            BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(14), 1);
            BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(18), (ushort)orientation);
        }
        else
        {
            "II"u8.CopyTo(tiff);
            BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(2), 42);
            BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(4), 8);
            BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(8), 1);
            BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(10), 0x0112);
            BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(12), 3);
            BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(14), 1);
            BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(18), (ushort)orientation);
        }

        var payload = "Exif\0\0"u8.ToArray().Concat(tiff).ToArray();
        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(payload.Length + 2));
        payload.CopyTo(segment, 4);
        return [.. jpeg.AsSpan(0, 2), .. segment, .. jpeg.AsSpan(2)];
    }

    public static byte[] Pixel(RgbImage image, int x, int y) => image.Pixels.Slice(((y * image.Width) + x) * 3, 3).ToArray();

    public static int MaxDifference(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        Assert.Equal(a.Length, b.Length);
        var max = 0;
        for (var i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }

    public static double MeanDifference(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        Assert.Equal(a.Length, b.Length);
        long sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += Math.Abs(a[i] - b[i]);
        }

        return (double)sum / a.Length;
    }
}
