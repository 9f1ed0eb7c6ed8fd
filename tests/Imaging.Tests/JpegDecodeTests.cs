namespace Atelier.Imaging.Tests;

public sealed class JpegDecodeTests
{
    private const int Width = 48;
    private const int Height = 32;

    private static byte[] Rgb => Fixtures.Interleave(Width, Height, 3, Fixtures.Smooth);

    [Theory]
    [InlineData(JpegBuilder.Layout.YCbCr444, false)]
    [InlineData(JpegBuilder.Layout.YCbCr420, false)]
    [InlineData(JpegBuilder.Layout.YCbCr444, true)]
    [InlineData(JpegBuilder.Layout.YCbCr422, true)]
    [InlineData(JpegBuilder.Layout.YCbCr420, true)]
    public void Decode_colour_jpeg_yields_pixels_close_to_the_source(JpegBuilder.Layout layout, bool progressive)
    {
        var jpeg = Fixtures.Jpeg(Rgb, Width, Height, layout, 95, progressive);
        Assert.Equal(progressive, jpeg.AsSpan().IndexOf(new byte[] { 0xFF, 0xC2 }) >= 0); // SOF2 = progressive

        using var image = ImageDecoder.Decode(jpeg, "image/jpeg");

        Assert.Equal((Width, Height), (image.Width, image.Height));
        Assert.True(Fixtures.MeanDifference(Rgb, image.Pixels) < 2.0, $"mean difference {Fixtures.MeanDifference(Rgb, image.Pixels)}");
    }

    [Fact]
    public void Decode_grayscale_jpeg_yields_equal_rgb_channels()
    {
        var gray = Fixtures.Interleave(Width, Height, 1, (x, y, _) => (byte)((x * 5) + (y * 2)));
        var jpeg = Fixtures.Jpeg(gray, Width, Height, JpegBuilder.Layout.Gray);

        using var image = ImageDecoder.Decode(jpeg);

        var expected = new byte[Width * Height * 3];
        for (var i = 0; i < gray.Length; i++)
        {
            expected[i * 3] = expected[(i * 3) + 1] = expected[(i * 3) + 2] = gray[i];
            Assert.Equal(image.Pixels[i * 3], image.Pixels[(i * 3) + 1]);
            Assert.Equal(image.Pixels[i * 3], image.Pixels[(i * 3) + 2]);
        }

        Assert.True(Fixtures.MeanDifference(expected, image.Pixels) < 1.5);
    }

    [Fact]
    public void Decode_cmyk_jpeg_converts_to_rgb()
    {
        // An Adobe CMYK JPEG (APP14, transform 0); stored values follow Adobe's inverted convention,
        // so RGB = C·K/255 (and likewise for M and Y).
        var cmyk = Fixtures.Interleave(Width, Height, 4, (x, y, c) => c == 3 ? (byte)(160 + x) : Fixtures.Smooth(x, y, c));
        var jpeg = Fixtures.Jpeg(cmyk, Width, Height, JpegBuilder.Layout.Cmyk, 98);

        using var image = ImageDecoder.Decode(jpeg);

        var expected = new byte[Width * Height * 3];
        for (var i = 0; i < Width * Height; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                expected[(i * 3) + c] = (byte)Math.Round(cmyk[(i * 4) + c] * cmyk[(i * 4) + 3] / 255.0);
            }
        }

        Assert.True(Fixtures.MeanDifference(expected, image.Pixels) < 2.0, $"mean difference {Fixtures.MeanDifference(expected, image.Pixels)}");
    }

    // Source: a 2×2 block image, TL red, TR green, BL blue, BR white. Expected quadrant colours
    // after each EXIF orientation, worked out by hand from the EXIF definitions (PIL exif_transpose).
    [Theory]
    [InlineData(1, "RGBW", false)]
    [InlineData(2, "GRWB", false)]
    [InlineData(3, "WBGR", false)]
    [InlineData(4, "BWRG", false)]
    [InlineData(5, "RBGW", true)]
    [InlineData(6, "BRWG", true)]
    [InlineData(7, "WGBR", true)]
    [InlineData(8, "GWRB", true)]
    public void Decode_jpeg_applies_exif_orientation(int orientation, string quadrants, bool swapsAxes)
    {
        const int w = 64, h = 32;
        var colours = new Dictionary<char, byte[]>
        {
            ['R'] = [255, 0, 0],
            ['G'] = [0, 255, 0],
            ['B'] = [0, 0, 255],
            ['W'] = [255, 255, 255],
        };
        var source = Fixtures.Interleave(w, h, 3, (x, y, c) => colours["RGBW"[(y < h / 2 ? 0 : 2) + (x < w / 2 ? 0 : 1)]][c]);
        var plain = Fixtures.Jpeg(source, w, h, JpegBuilder.Layout.YCbCr444, 98);

        foreach (var bigEndian in new[] { false, true })
        {
            using var image = ImageDecoder.Decode(Fixtures.WithExifOrientation(plain, orientation, bigEndian));

            Assert.Equal(swapsAxes ? (h, w) : (w, h), (image.Width, image.Height));
            int qw = image.Width / 4, qh = image.Height / 4;
            var centres = new[] { (qw, qh), (3 * qw, qh), (qw, 3 * qh), (3 * qw, 3 * qh) };
            for (var q = 0; q < 4; q++)
            {
                var actual = Fixtures.Pixel(image, centres[q].Item1, centres[q].Item2);
                Assert.True(Fixtures.MaxDifference(colours[quadrants[q]], actual) < 8,
                    $"orientation {orientation}, quadrant {q}: expected {quadrants[q]}, got {string.Join(",", actual)}");
            }
        }
    }

    [Fact]
    public void Decode_jpeg_ignores_orientation_when_disabled()
    {
        var jpeg = Fixtures.WithExifOrientation(Fixtures.Jpeg(Rgb, Width, Height, JpegBuilder.Layout.YCbCr444), 6, false);

        using var image = ImageDecoder.Decode(jpeg, options: new ImageDecodeOptions { ApplyExifOrientation = false });

        Assert.Equal((Width, Height), (image.Width, image.Height));
    }

    [Fact]
    public void Decode_jpeg_with_malformed_exif_keeps_the_stored_orientation()
    {
        var jpeg = Fixtures.WithExifOrientation(Fixtures.Jpeg(Rgb, Width, Height, JpegBuilder.Layout.YCbCr444), 6, false);
        var ifdOffset = jpeg.AsSpan().IndexOf("Exif\0\0"u8) + 6 + 4;
        jpeg[ifdOffset] = 0xF0; // IFD offset now points far outside the segment

        using var image = ImageDecoder.Decode(jpeg);

        Assert.Equal((Width, Height), (image.Width, image.Height));
    }

    [Fact]
    public void Encode_jpeg_quality_trades_size_for_fidelity()
    {
        using var source = Fixtures.Image(96, 64, (x, y, c) => (byte)(((x ^ y) * (c + 3)) & 0xFF));

        var high = JpegEncoder.Encode(source, 95);
        var low = JpegEncoder.Encode(source, 20);
        using var highImage = ImageDecoder.Decode(high);
        using var lowImage = ImageDecoder.Decode(low);

        Assert.True(low.Length < high.Length);
        Assert.True(Fixtures.MeanDifference(source.Pixels, highImage.Pixels) < Fixtures.MeanDifference(source.Pixels, lowImage.Pixels));
    }
}
