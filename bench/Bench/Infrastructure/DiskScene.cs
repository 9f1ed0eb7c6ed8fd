using Atelier.Imaging;

namespace Atelier.Bench.Infrastructure;

/// <summary>The synthetic picture the HTTP-level benchmarks open sessions with: a yellow disk on a faintly striped blue-grey background.</summary>
internal static class DiskScene
{
    /// <summary>A <paramref name="width"/>×<paramref name="height"/> PNG with a disk of <paramref name="radius"/> pixels at its centre.</summary>
    public static byte[] Png(int width, int height, int radius)
    {
        using var image = new RgbImage(width, height);
        var (cx, cy) = (width / 2, height / 2);
        for (var y = 0; y < height; y++)
        {
            var row = image.Row(y);
            for (var x = 0; x < width; x++)
            {
                var inside = ((x - cx) * (x - cx)) + ((y - cy) * (y - cy)) < radius * radius;
                row[x * 3] = inside ? (byte)220 : (byte)(30 + (x % 9));
                row[(x * 3) + 1] = inside ? (byte)190 : (byte)(40 + (y % 7));
                row[(x * 3) + 2] = inside ? (byte)60 : (byte)50;
            }
        }

        return PngEncoder.Encode(image);
    }
}
