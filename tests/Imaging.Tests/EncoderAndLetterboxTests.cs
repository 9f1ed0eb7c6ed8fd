namespace Atelier.Imaging.Tests;

public sealed class EncoderAndLetterboxTests
{
    [Fact]
    public void Png_encoded_mask_is_grayscale_and_decodes_to_the_same_bytes()
    {
        using var mask = new Mask(33, 21);
        for (var i = 0; i < mask.Data.Length; i += 3)
        {
            mask.Data[i] = Mask.On;
        }

        var png = PngEncoder.Encode(mask);
        using var decoded = ImageDecoder.Decode(png, "image/png");

        Assert.Equal(PngBuilder.Gray, png[25]); // IHDR colour type
        Assert.Equal(8, png[24]); // bit depth
        for (var i = 0; i < mask.Data.Length; i++)
        {
            Assert.Equal(mask.Data[i], decoded.Pixels[i * 3]);
        }
    }

    [Fact]
    public void Png_encoded_random_mask_round_trips_bit_exactly()
    {
        using var mask = new Mask(203, 97);
        var random = new Random(3);
        for (var i = 0; i < mask.Data.Length; i++)
        {
            mask.Data[i] = random.Next(4) == 0 ? Mask.On : (byte)0;
        }

        using var decoded = ImageDecoder.DecodeMask(PngEncoder.Encode(mask));

        Assert.Equal(mask.Data.ToArray(), decoded.Data.ToArray());
    }

    [Fact]
    public void Png_encoded_rgb_image_round_trips_exactly()
    {
        var random = new Random(4);
        using var image = Fixtures.Image(45, 19, (_, _, _) => (byte)random.Next(256));

        var png = PngEncoder.Encode(image);
        using var decoded = ImageDecoder.Decode(png);

        Assert.Equal(PngBuilder.Rgb, png[25]);
        Assert.True(image.Pixels.SequenceEqual(decoded.Pixels));
    }

    [Fact]
    public void Letterbox_centres_the_scaled_image_and_pads()
    {
        using var image = Fixtures.Image(200, 100, (_, _, c) => (byte)(100 + c));

        var (canvas, transform) = ImageResize.Letterbox(image, 64, padValue: 7);
        using (canvas)
        {
            Assert.Equal(new LetterboxTransform(64, 0.32, 0, 16, 64, 32), transform);
            Assert.Equal(new byte[] { 7, 7, 7 }, Fixtures.Pixel(canvas, 10, 15));
            Assert.Equal(new byte[] { 100, 101, 102 }, Fixtures.Pixel(canvas, 10, 16));
            Assert.Equal(new byte[] { 100, 101, 102 }, Fixtures.Pixel(canvas, 63, 47));
            Assert.Equal(new byte[] { 7, 7, 7 }, Fixtures.Pixel(canvas, 63, 48));
            Assert.Equal((100.0, 50.0), transform.ToOriginal(32, 32));
            Assert.Equal((32.0, 32.0), transform.ToCanvas(100, 50));
        }
    }

    [Fact]
    public void Crop_copies_the_rectangle()
    {
        using var image = Fixtures.Image(10, 8, (x, y, c) => (byte)((x * 10) + y + c));

        using var crop = ImageResize.Crop(image, 3, 2, 4, 5);

        Assert.Equal((4, 5), (crop.Width, crop.Height));
        Assert.Equal(Fixtures.Pixel(image, 3, 2), Fixtures.Pixel(crop, 0, 0));
        Assert.Equal(Fixtures.Pixel(image, 6, 6), Fixtures.Pixel(crop, 3, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageResize.Crop(image, 8, 0, 4, 1));
    }
}
