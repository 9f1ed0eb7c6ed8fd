namespace Atelier.Imaging.Tests;

public sealed class PngDecodeTests
{
    private const int Width = 13;
    private const int Height = 11;

    public static TheoryData<int, int, bool> Variants()
    {
        var data = new TheoryData<int, int, bool>();
        foreach (var interlaced in new[] { false, true })
        {
            foreach (var depth in new[] { 1, 2, 4, 8, 16 })
            {
                data.Add(PngBuilder.Gray, depth, interlaced);
            }

            foreach (var depth in new[] { 1, 2, 4, 8 })
            {
                data.Add(PngBuilder.Palette, depth, interlaced);
            }

            foreach (var depth in new[] { 8, 16 })
            {
                data.Add(PngBuilder.GrayAlpha, depth, interlaced);
                data.Add(PngBuilder.Rgb, depth, interlaced);
                data.Add(PngBuilder.Rgba, depth, interlaced);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Decode_png_of_every_colour_type_and_depth_yields_the_written_pixels(int colorType, int depth, bool interlaced)
    {
        var max = (1 << depth) - 1;
        var paletteSize = colorType == PngBuilder.Palette ? Math.Min(max + 1, 200) : 0;

        // File samples: low depths cycle through every level; 8 and 16 bits carry a byte k (16-bit as k·257).
        int Level(int x, int y, int c) => depth switch
        {
            < 8 => (x + (2 * y) + c) % (max + 1),
            8 => Fixtures.Smooth(x, y, c),
            _ => Fixtures.Smooth(x, y, c) * 257,
        };
        byte To8(int v) => depth == 16 ? (byte)(v / 257) : (byte)(v * 255 / max);

        var channels = PngBuilder.Channels(colorType);
        var hasAlpha = colorType is PngBuilder.GrayAlpha or PngBuilder.Rgba or PngBuilder.Palette;
        int Sample(int x, int y, int c)
        {
            if (colorType == PngBuilder.Palette)
            {
                return ((x * 7) + (y * 3)) % paletteSize;
            }

            // Alpha is the last channel; keep it opaque-ish but varied (never 0, where colour is meaningless).
            if (hasAlpha && c == channels - 1)
            {
                return depth == 16 ? (128 + ((x * 9) + y) % 128) * 257 : 128 + (((x * 9) + y) % 128);
            }

            return Level(x, y, c);
        }

        var palette = new byte[paletteSize * 3];
        var transparency = new byte[Math.Min(paletteSize, 5)];
        for (var i = 0; i < paletteSize; i++)
        {
            palette[i * 3] = (byte)(i * 37);
            palette[(i * 3) + 1] = (byte)(i * 91);
            palette[(i * 3) + 2] = (byte)(255 - (i * 13));
        }

        for (var i = 0; i < transparency.Length; i++)
        {
            transparency[i] = (byte)(130 + (i * 20));
        }

        var png = PngBuilder.Build(Width, Height, depth, colorType, Sample, interlaced,
            colorType == PngBuilder.Palette ? palette : null, colorType == PngBuilder.Palette ? transparency : null);

        using var image = ImageDecoder.Decode(png, "image/png");

        Assert.Equal(Width, image.Width);
        Assert.Equal(Height, image.Height);
        Assert.Equal(hasAlpha, image.Alpha is not null);
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                byte r, g, b, a;
                if (colorType == PngBuilder.Palette)
                {
                    var index = Sample(x, y, 0);
                    (r, g, b) = (palette[index * 3], palette[(index * 3) + 1], palette[(index * 3) + 2]);
                    a = index < transparency.Length ? transparency[index] : (byte)255;
                }
                else if (colorType is PngBuilder.Gray or PngBuilder.GrayAlpha)
                {
                    r = g = b = To8(Sample(x, y, 0));
                    a = colorType == PngBuilder.GrayAlpha ? To8(Sample(x, y, 1)) : (byte)255;
                }
                else
                {
                    (r, g, b) = (To8(Sample(x, y, 0)), To8(Sample(x, y, 1)), To8(Sample(x, y, 2)));
                    a = colorType == PngBuilder.Rgba ? To8(Sample(x, y, 3)) : (byte)255;
                }

                Assert.True(new[] { r, g, b }.AsSpan().SequenceEqual(Fixtures.Pixel(image, x, y)),
                    $"pixel ({x},{y}): expected {r},{g},{b}, got {string.Join(",", Fixtures.Pixel(image, x, y))}");
                if (image.Alpha is { } alpha)
                {
                    Assert.Equal(a, alpha.Data[(y * Width) + x]);
                }
            }
        }
    }

    [Fact]
    public void Decode_16_bit_png_keeps_the_high_byte_of_each_sample()
    {
        // Skia reduces 16-bit samples with libpng's strip (v >> 8), not round(v / 257): 0x00FF → 0, 0x807F → 128.
        int[] samples = [0x00FF, 0x0081, 0x7F80, 0x807F, 0xFF7F, 0xFFFF];
        var png = PngBuilder.Build(samples.Length, 1, 16, PngBuilder.Gray, (x, _, _) => samples[x]);

        using var image = ImageDecoder.Decode(png);

        Assert.Equal(new byte[] { 0, 0, 127, 128, 255, 255 }, Enumerable.Range(0, samples.Length).Select(x => image.Pixels[x * 3]).ToArray());
    }

    [Fact]
    public void Decode_png_without_keep_alpha_drops_the_alpha_plane()
    {
        var png = PngBuilder.Build(4, 3, 8, PngBuilder.Rgba, (x, y, c) => c == 3 ? 200 : x + y + c);

        using var image = ImageDecoder.Decode(png, options: new ImageDecodeOptions { KeepAlpha = false });

        Assert.Null(image.Alpha);
        Assert.Equal(new byte[] { 3, 4, 5 }, Fixtures.Pixel(image, 2, 1));
    }

    [Fact]
    public void Decode_png_with_bad_crc_in_an_ancillary_chunk_still_decodes()
    {
        // libpng's default CRC policy: ancillary chunks with a bad CRC are warned about and dropped.
        var png = PngBuilder.Build(4, 3, 8, PngBuilder.Rgb, (x, y, c) => (x * 10) + y + c,
            extraChunks: [("tEXt", "Comment\0hello"u8.ToArray())]);
        var text = IndexOf(png, "tEXt"u8);
        png[text + 4 + 13] ^= 0xFF; // last CRC byte of the tEXt chunk (type 4 + data 13 + CRC 4)

        using var image = ImageDecoder.Decode(png);

        Assert.Equal(new byte[] { 31, 32, 33 }, Fixtures.Pixel(image, 3, 1));
    }

    internal static int IndexOf(byte[] data, ReadOnlySpan<byte> needle) => data.AsSpan().IndexOf(needle);
}
