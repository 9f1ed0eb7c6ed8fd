using Atelier.Imaging;

namespace Atelier.Editor.Tests.Support;

/// <summary>
/// A generated picture whose objects are known exactly: a yellow disk (<see cref="Disk"/>) and, apart from it, a cyan
/// bar of two tones close enough for one click to flood both (<see cref="BarLeft"/>, <see cref="BarRight"/>), on a
/// dark textured background. Sizes scale with <paramref name="scale"/>, so a large scene has the same layout.
/// </summary>
public sealed class Scene(int scale = 1)
{
    public int Width { get; } = 480 * scale;

    public int Height { get; } = 320 * scale;

    public int Scale { get; } = scale;

    /// <summary>The disk: centre and radius in original pixels.</summary>
    public (int X, int Y, int Radius) DiskGeometry => (130 * Scale, 170 * Scale, 70 * Scale);

    public bool Disk(int x, int y)
    {
        var (cx, cy, r) = DiskGeometry;
        return ((x - cx) * (x - cx)) + ((y - cy) * (y - cy)) <= r * r;
    }

    public bool BarLeft(int x, int y) => x >= 270 * Scale && x < 350 * Scale && y >= 90 * Scale && y < 250 * Scale;

    public bool BarRight(int x, int y) => x >= 350 * Scale && x < 430 * Scale && y >= 90 * Scale && y < 250 * Scale;

    public RgbImage Render()
    {
        var image = new RgbImage(Width, Height);
        for (var y = 0; y < Height; y++)
        {
            var row = image.Row(y);
            for (var x = 0; x < Width; x++)
            {
                (byte R, byte G, byte B) colour = Disk(x, y) ? ((byte)230, (byte)200, (byte)60)
                    : BarLeft(x, y) ? ((byte)60, (byte)200, (byte)230)
                    : BarRight(x, y) ? ((byte)60, (byte)185, (byte)230)
                    : ((byte)(30 + ((x + y) % 7)), (byte)(40 + ((x * 3) % 5)), (byte)(50 + (y % 6)));
                row[x * 3] = colour.R;
                row[(x * 3) + 1] = colour.G;
                row[(x * 3) + 2] = colour.B;
            }
        }

        return image;
    }

    public byte[] Png()
    {
        using var image = Render();
        return PngEncoder.Encode(image);
    }

    /// <summary>The truth of one object as a bitmap (row-major) to compare with what the editor drew.</summary>
    public bool[] Truth(Func<int, int, bool> inside)
    {
        var truth = new bool[Width * Height];
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                truth[(y * Width) + x] = inside(x, y);
            }
        }

        return truth;
    }

    public static double IoU(bool[] a, bool[] b)
    {
        long both = 0, either = 0;
        for (var i = 0; i < a.Length; i++)
        {
            both += a[i] && b[i] ? 1 : 0;
            either += a[i] || b[i] ? 1 : 0;
        }

        return either == 0 ? 0 : (double)both / either;
    }

    public static int Count(bool[] mask) => mask.Count(v => v);
}
