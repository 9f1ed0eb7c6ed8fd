using Atelier.Grains.Sessions;
using Atelier.Imaging;

namespace Atelier.Grains.Tests.Sessions;

public sealed class ImageHistoryTests
{
    [Fact]
    public void A_released_image_decodes_again_to_the_same_pixels_and_versions_stay_encoded()
    {
        using var original = Scene(40, 30, seed: 1);
        using var edited = Scene(40, 30, seed: 2);
        using var history = new ImageHistory(maxVersions: 4, maxBytes: 1 << 20, new ImageDecodeOptions());
        var upload = PngEncoder.Encode(original);
        history.Reset([upload], current: 0, trimmed: 0, decodedCurrent: null);
        var first = history.Image.Pixels.ToArray();

        history.ReleaseDecoded();
        Assert.Equal(first, history.Image.Pixels.ToArray());
        Assert.Equal(original.Pixels.ToArray(), first);

        history.Push(Copy(edited), PngEncoder.Encode(edited));
        history.ReleaseDecoded();
        Assert.Equal(edited.Pixels.ToArray(), history.Image.Pixels.ToArray());

        history.Undo();
        history.ReleaseDecoded();
        Assert.Equal(first, history.Image.Pixels.ToArray());
        Assert.Equal(2, history.Count);
    }

    private static RgbImage Scene(int width, int height, int seed)
    {
        var image = new RgbImage(width, height);
        var random = new Random(seed);
        random.NextBytes(image.Pixels);
        return image;
    }

    private static RgbImage Copy(RgbImage image)
    {
        var copy = new RgbImage(image.Width, image.Height);
        image.Pixels.CopyTo(copy.Pixels);
        return copy;
    }
}
