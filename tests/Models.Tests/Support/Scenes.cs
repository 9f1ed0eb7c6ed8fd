using Atelier.Imaging;

namespace Atelier.Models.Tests.Support;

/// <summary>Synthetic test images and the masks of their objects, generated in code.</summary>
internal static class Scenes
{
    public static RgbImage Fill(int width, int height, (byte R, byte G, byte B) colour)
    {
        var image = new RgbImage(width, height);
        var pixels = image.Pixels;
        for (var i = 0; i < pixels.Length; i += 3)
        {
            pixels[i] = colour.R;
            pixels[i + 1] = colour.G;
            pixels[i + 2] = colour.B;
        }

        return image;
    }

    /// <summary>Paints a disk into <paramref name="image"/> (and into <paramref name="truth"/> when given).</summary>
    public static void Disk(RgbImage image, double cx, double cy, double radius, (byte R, byte G, byte B) colour, Mask? truth = null) =>
        Paint(image, truth, (x, y) => ((x + 0.5 - cx) * (x + 0.5 - cx)) + ((y + 0.5 - cy) * (y + 0.5 - cy)) <= radius * radius, (_, _) => colour);

    /// <summary>Paints the rectangle [x, x+w) × [y, y+h).</summary>
    public static void Rectangle(RgbImage image, int x, int y, int w, int h, (byte R, byte G, byte B) colour, Mask? truth = null) =>
        Paint(image, truth, (px, py) => px >= x && px < x + w && py >= y && py < y + h, (_, _) => colour);

    /// <summary>Paints a rectangle of <paramref name="colour"/> with uniform per-channel noise of ±<paramref name="amplitude"/> (seeded).</summary>
    public static void TexturedRectangle(RgbImage image, int x, int y, int w, int h, (byte R, byte G, byte B) colour, int amplitude, int seed, Mask? truth = null)
    {
        var random = new Random(seed);
        Paint(image, truth, (px, py) => px >= x && px < x + w && py >= y && py < y + h, (_, _) => (
            Jitter(colour.R, random, amplitude), Jitter(colour.G, random, amplitude), Jitter(colour.B, random, amplitude)));
    }

    /// <summary>A smooth diagonal gradient: R grows with x, G with y, B with x + y.</summary>
    public static RgbImage Gradient(int width, int height)
    {
        var image = new RgbImage(width, height);
        for (var y = 0; y < height; y++)
        {
            var row = image.Row(y);
            for (var x = 0; x < width; x++)
            {
                row[x * 3] = (byte)(30 + (180 * x / (width - 1)));
                row[(x * 3) + 1] = (byte)(40 + (160 * y / (height - 1)));
                row[(x * 3) + 2] = (byte)(60 + (120 * (x + y) / (width + height - 2)));
            }
        }

        return image;
    }

    public static double IoU(Mask a, Mask b)
    {
        Assert.Equal((a.Width, a.Height), (b.Width, b.Height));
        long intersection = 0, union = 0;
        var da = a.Data;
        var db = b.Data;
        for (var i = 0; i < da.Length; i++)
        {
            bool ia = da[i] != 0, ib = db[i] != 0;
            intersection += ia && ib ? 1 : 0;
            union += ia || ib ? 1 : 0;
        }

        return union == 0 ? 1 : (double)intersection / union;
    }

    /// <summary>Fraction of <paramref name="region"/>'s pixels that <paramref name="mask"/> covers.</summary>
    public static double Coverage(Mask mask, Mask region)
    {
        long inside = 0, covered = 0;
        var dm = mask.Data;
        var dr = region.Data;
        for (var i = 0; i < dr.Length; i++)
        {
            if (dr[i] != 0)
            {
                inside++;
                covered += dm[i] != 0 ? 1 : 0;
            }
        }

        return inside == 0 ? 0 : (double)covered / inside;
    }

    /// <summary>The 4-connected component of <paramref name="mask"/> containing (x, y); empty when that pixel is off.</summary>
    public static Mask Component(Mask mask, int x, int y)
    {
        var result = new Mask(mask.Width, mask.Height);
        if (!mask[x, y])
        {
            return result;
        }

        var data = result.Data;
        var stack = new Stack<(int X, int Y)>();
        stack.Push((x, y));
        data[(y * mask.Width) + x] = Mask.On;
        while (stack.TryPop(out var p))
        {
            foreach (var (nx, ny) in new[] { (p.X - 1, p.Y), (p.X + 1, p.Y), (p.X, p.Y - 1), (p.X, p.Y + 1) })
            {
                if (nx >= 0 && ny >= 0 && nx < mask.Width && ny < mask.Height && mask[nx, ny] && data[(ny * mask.Width) + nx] == 0)
                {
                    data[(ny * mask.Width) + nx] = Mask.On;
                    stack.Push((nx, ny));
                }
            }
        }

        return result;
    }

    private static byte Jitter(byte value, Random random, int amplitude) => (byte)Math.Clamp(value + random.Next(-amplitude, amplitude + 1), 0, 255);

    private static void Paint(RgbImage image, Mask? truth, Func<int, int, bool> inside, Func<int, int, (byte R, byte G, byte B)> colour)
    {
        for (var y = 0; y < image.Height; y++)
        {
            var row = image.Row(y);
            for (var x = 0; x < image.Width; x++)
            {
                if (inside(x, y))
                {
                    var (r, g, b) = colour(x, y);
                    row[x * 3] = r;
                    row[(x * 3) + 1] = g;
                    row[(x * 3) + 2] = b;
                    if (truth is not null)
                    {
                        truth.Row(y)[x] = Mask.On;
                    }
                }
            }
        }
    }
}
