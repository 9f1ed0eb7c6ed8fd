using SkiaSharp;

namespace Atelier.Imaging.Tests;

public sealed class WebPDecodeTests
{
    private const int Width = 40;
    private const int Height = 24;

    [Fact]
    public void Decode_lossless_webp_yields_the_exact_pixels()
    {
        var rgb = Fixtures.Interleave(Width, Height, 3, (x, y, c) => (byte)((x * 31) ^ (y * 17) ^ (c * 85)));
        var webp = Fixtures.WebP(rgb, Width, Height, alpha: false, lossless: true);

        using var image = ImageDecoder.Decode(webp, "image/webp");

        Assert.Null(image.Alpha);
        Assert.True(rgb.AsSpan().SequenceEqual(image.Pixels));
    }

    [Fact]
    public void Decode_lossless_webp_with_alpha_keeps_colour_and_alpha()
    {
        var rgba = Fixtures.Interleave(Width, Height, 4, (x, y, c) => c == 3 ? (byte)(128 + x + (2 * y)) : (byte)((x * 7) + (y * 3) + (c * 60)));
        var webp = Fixtures.WebP(rgba, Width, Height, alpha: true, lossless: true);

        using var image = ImageDecoder.Decode(webp);

        Assert.NotNull(image.Alpha);
        for (var i = 0; i < Width * Height; i++)
        {
            Assert.True(rgba.AsSpan(i * 4, 3).SequenceEqual(image.Pixels.Slice(i * 3, 3)), $"pixel {i % Width},{i / Width}: alpha {rgba[(i * 4) + 3]} expected {string.Join(",", rgba.AsSpan(i * 4, 3).ToArray())} got {string.Join(",", image.Pixels.Slice(i * 3, 3).ToArray())}");
            Assert.Equal(rgba[(i * 4) + 3], image.Alpha!.Data[i]);
        }
    }

    [Fact]
    public void Decode_lossy_webp_yields_pixels_close_to_the_source()
    {
        var rgb = Fixtures.Interleave(Width, Height, 3, Fixtures.Smooth);
        var webp = Fixtures.WebP(rgb, Width, Height, alpha: false, lossless: false, quality: 95);
        Assert.True(webp.AsSpan().IndexOf("VP8 "u8) >= 0); // lossy bitstream

        using var image = ImageDecoder.Decode(webp);

        Assert.True(Fixtures.MeanDifference(rgb, image.Pixels) < 3.0, $"mean difference {Fixtures.MeanDifference(rgb, image.Pixels)}");
    }

    [Fact]
    public void Decode_lossy_webp_with_alpha_keeps_the_alpha_plane()
    {
        var rgba = Fixtures.Interleave(Width, Height, 4, (x, y, c) => c == 3 ? (byte)(x < Width / 2 ? 255 : 64) : Fixtures.Smooth(x, y, c));
        var webp = Fixtures.WebP(rgba, Width, Height, alpha: true, lossless: false, quality: 95);

        using var image = ImageDecoder.Decode(webp);

        Assert.NotNull(image.Alpha);
        Assert.Equal(255, image.Alpha!.Data[(5 * Width) + 3]);
        Assert.Equal(64, image.Alpha.Data[(5 * Width) + Width - 3]);
    }

    [Fact]
    public void Decode_animated_webp_yields_its_first_frame()
    {
        byte[] animated;
        using (var red = Solid(SKColors.Red))
        using (var blue = Solid(SKColors.Blue))
        {
            animated = SKWebpEncoder.EncodeAnimated(
                [new SKWebpEncoderFrame(red, TimeSpan.FromMilliseconds(100)), new SKWebpEncoderFrame(blue, TimeSpan.FromMilliseconds(100))],
                new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossless, 75))!.ToArray();
        }

        Assert.True(animated.AsSpan().IndexOf("ANMF"u8) >= 0); // two animation frames in the file

        using var image = ImageDecoder.Decode(animated, "image/webp");

        Assert.Equal((Width, Height), (image.Width, image.Height));
        Assert.Equal(new byte[] { 255, 0, 0 }, Fixtures.Pixel(image, Width / 2, Height / 2));
    }

    [Fact]
    public void Encode_lossless_webp_round_trips_exactly()
    {
        var random = new Random(9);
        using var source = Fixtures.Image(37, 23, (_, _, _) => (byte)random.Next(256));

        using var decoded = ImageDecoder.Decode(WebPEncoder.Encode(source, lossless: true));

        Assert.True(source.Pixels.SequenceEqual(decoded.Pixels));
    }

    private static SKBitmap Solid(SKColor colour)
    {
        var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        bitmap.Erase(colour);
        return bitmap;
    }
}
