namespace Atelier.Imaging.Tests;

public sealed class DecodeMaskTests
{
    [Fact]
    public void Decode_mask_from_gray_png_thresholds_the_gray_level()
    {
        var png = PngBuilder.Build(4, 1, 8, PngBuilder.Gray, (x, _, _) => x * 80); // 0, 80, 160, 240

        using var mask = ImageDecoder.DecodeMask(png, "image/png");

        Assert.Equal(new byte[] { 0, 0, Mask.On, Mask.On }, mask.Data.ToArray());
    }

    [Fact]
    public void Decode_mask_from_transparent_png_uses_alpha()
    {
        var png = PngBuilder.Build(3, 1, 8, PngBuilder.Rgba, (x, _, c) => c == 3 ? x * 100 : 255); // white, alpha 0/100/200

        using var mask = ImageDecoder.DecodeMask(png);

        Assert.Equal(new byte[] { 0, 0, Mask.On }, mask.Data.ToArray());
    }
}
