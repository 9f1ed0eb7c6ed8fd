using Atelier.Bench.Infrastructure;
using Atelier.Imaging;

namespace Atelier.Bench.Tests;

public sealed class DiskSceneTests
{
    [Fact]
    public void Png_decodes_to_the_size_asked_with_the_disk_at_the_centre()
    {
        using var image = ImageDecoder.Decode(DiskScene.Png(64, 48, 10));

        Assert.Equal((64, 48), (image.Width, image.Height));
        Assert.Equal(new byte[] { 220, 190, 60 }, image.Row(24).Slice(32 * 3, 3).ToArray()); // centre: the disk
        Assert.Equal(new byte[] { 220, 190, 60 }, image.Row(24).Slice(23 * 3, 3).ToArray()); // 9 px left of it: still inside
        Assert.Equal(new byte[] { 30, 40, 50 }, image.Row(0).Slice(0, 3).ToArray()); // corner: background (x % 9 = 0, y % 7 = 0)
        Assert.Equal(new byte[] { 30 + 5, 40 + 3, 50 }, image.Row(10).Slice(5 * 3, 3).ToArray()); // background stripes
    }
}
