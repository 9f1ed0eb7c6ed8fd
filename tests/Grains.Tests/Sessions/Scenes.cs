using Atelier.Imaging;

namespace Atelier.Grains.Tests.Sessions;

/// <summary>Synthetic images with known ground truth.</summary>
internal static class Scenes
{
    /// <summary>A red disk (centre cx, cy; radius r) on a light grey-blue background, and its truth mask.</summary>
    public static (RgbImage Image, bool[] Truth) Disk(int width, int height, int cx, int cy, int r)
    {
        var image = new RgbImage(width, height);
        var truth = new bool[width * height];
        for (var y = 0; y < height; y++)
        {
            var row = image.Row(y);
            for (var x = 0; x < width; x++)
            {
                var inside = ((x - cx) * (x - cx)) + ((y - cy) * (y - cy)) <= r * r;
                truth[(y * width) + x] = inside;
                row[x * 3] = inside ? (byte)200 : (byte)170;
                row[(x * 3) + 1] = inside ? (byte)30 : (byte)180;
                row[(x * 3) + 2] = inside ? (byte)40 : (byte)200;
            }
        }

        return (image, truth);
    }

    public static double IoU(Mask mask, bool[] truth)
    {
        long both = 0, either = 0;
        var data = mask.Data;
        for (var i = 0; i < truth.Length; i++)
        {
            var m = data[i] != 0;
            both += m && truth[i] ? 1 : 0;
            either += m || truth[i] ? 1 : 0;
        }

        return either == 0 ? 0 : (double)both / either;
    }
}
