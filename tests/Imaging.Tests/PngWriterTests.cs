using Atelier.Imaging.Codecs;

namespace Atelier.Imaging.Tests;

public sealed class PngWriterTests
{
    [Fact]
    public void Crc32_matches_the_png_specification_value_for_IEND() =>
        Assert.Equal(0xAE426082u, PngWriter.Crc32("IEND"u8));

    [Fact]
    public void Managed_mask_png_decodes_through_libpng_to_the_same_bytes()
    {
        using var mask = new Mask(203, 97);
        var random = new Random(3);
        for (var i = 0; i < mask.Data.Length; i++)
        {
            mask.Data[i] = random.Next(4) == 0 ? Mask.On : (byte)0;
        }

        var png = PngEncoder.Encode(mask);
        using var decoded = ImageDecoder.DecodeMask(png);

        Assert.Equal(mask.Data.ToArray(), decoded.Data.ToArray());
    }

    [Fact]
    public void Managed_rgb_png_with_sub_filter_decodes_through_libpng_to_the_same_pixels()
    {
        using var image = new RgbImage(131, 57);
        new Random(4).NextBytes(image.Pixels);

        using var decoded = ImageDecoder.Decode(PngEncoder.Encode(image));

        Assert.Equal(image.Pixels.ToArray(), decoded.Pixels.ToArray());
    }
}
