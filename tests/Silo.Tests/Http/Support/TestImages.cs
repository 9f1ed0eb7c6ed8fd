using Atelier.Imaging;

namespace Atelier.Silo.Tests.Http;

/// <summary>Generated test pictures: a bright disk on a dark textured background, encoded by the real codecs.</summary>
public static class TestImages
{
    /// <summary>An RGB picture of <paramref name="width"/>×<paramref name="height"/> with a disk of radius <paramref name="radius"/> at (cx, cy).</summary>
    public static RgbImage Disk(int width, int height, int cx, int cy, int radius)
    {
        var image = new RgbImage(width, height);
        for (var y = 0; y < height; y++)
        {
            var row = image.Row(y);
            for (var x = 0; x < width; x++)
            {
                var inside = ((x - cx) * (x - cx)) + ((y - cy) * (y - cy)) <= radius * radius;
                row[(x * 3) + 0] = inside ? (byte)230 : (byte)(30 + ((x + y) % 7));
                row[(x * 3) + 1] = inside ? (byte)200 : (byte)(40 + ((x * 3) % 5));
                row[(x * 3) + 2] = inside ? (byte)60 : (byte)(50 + (y % 6));
            }
        }

        return image;
    }

    public static byte[] Png(int width = 96, int height = 64)
    {
        using var image = Disk(width, height, width / 2, height / 2, Math.Min(width, height) / 4);
        return PngEncoder.Encode(image);
    }

    public static byte[] Jpeg(int width = 96, int height = 64)
    {
        using var image = Disk(width, height, width / 2, height / 2, Math.Min(width, height) / 4);
        return JpegEncoder.Encode(image, 95);
    }

    /// <summary>Lossless WebP from the product's encoder.</summary>
    public static byte[] WebP(int width = 96, int height = 64)
    {
        using var image = Disk(width, height, width / 2, height / 2, Math.Min(width, height) / 4);
        return WebPEncoder.Encode(image, lossless: true);
    }

    /// <summary>A PNG whose header claims a huge size, with no pixel data.</summary>
    public static byte[] HugePngHeader()
    {
        var png = Png(8, 8);
        // IHDR width and height are the big-endian words at offsets 16 and 20.
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 200_000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 200_000);
        return png;
    }
}
