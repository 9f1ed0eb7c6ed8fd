namespace Atelier.Imaging.Tests;

/// <summary>
/// The optimised resampler against a plain transcription of Pillow's algorithm (precompute_coeffs,
/// normalize_coeffs_8bpc, horizontal then vertical 8-bit passes), on random images.
/// </summary>
public sealed class PillowReferenceTests
{
    [Theory]
    [InlineData(180, 120, 102, 68)] // SAM-like downscale
    [InlineData(37, 53, 90, 21)] // up in x, down in y
    [InlineData(64, 64, 64, 17)] // vertical only
    [InlineData(64, 40, 9, 40)] // horizontal only
    [InlineData(5, 3, 16, 11)] // upscale
    public void Bilinear_resize_matches_a_straightforward_pillow_transcription(int sourceWidth, int sourceHeight, int width, int height)
    {
        var random = new Random(sourceWidth * 31 + height);
        using var image = Fixtures.Image(sourceWidth, sourceHeight, (_, _, _) => (byte)random.Next(256));

        using var resized = ImageResize.Resize(image, width, height, ResizeFilter.Bilinear);

        var expected = Reference(image.Pixels.ToArray(), sourceWidth, sourceHeight, width, height);
        Assert.Equal(expected, resized.Pixels.ToArray());
    }

    private static byte[] Reference(byte[] source, int sw, int sh, int w, int h)
    {
        // Pillow skips an axis whose size is unchanged.
        var afterHorizontal = sw == w ? source : Pass(source, sw, sh, w, horizontal: true);
        return sh == h ? afterHorizontal : Pass(afterHorizontal, w, sh, h, horizontal: false);
    }

    private static byte[] Pass(byte[] source, int sw, int sh, int outSize, bool horizontal)
    {
        var inSize = horizontal ? sw : sh;
        var scale = (double)inSize / outSize;
        var filterScale = Math.Max(scale, 1.0);
        var support = filterScale; // triangle support 1
        int ow = horizontal ? outSize : sw, oh = horizontal ? sh : outSize;
        var output = new byte[ow * oh * 3];
        for (var o = 0; o < outSize; o++)
        {
            var center = (o + 0.5) * scale;
            var xmin = Math.Max(0, (int)(center - support + 0.5));
            var xmax = Math.Min(inSize, (int)(center + support + 0.5)) - xmin;
            var weights = new double[xmax];
            for (var x = 0; x < xmax; x++)
            {
                weights[x] = Math.Max(0, 1 - Math.Abs((x + xmin - center + 0.5) / filterScale));
            }

            var sum = weights.Sum();
            var fixedWeights = weights.Select(v => (int)(0.5 + (v / sum * (1 << 22)))).ToArray();
            var lines = horizontal ? sh : sw;
            for (var line = 0; line < lines; line++)
            {
                for (var c = 0; c < 3; c++)
                {
                    var acc = 1 << 21;
                    for (var x = 0; x < xmax; x++)
                    {
                        var index = horizontal ? ((line * sw) + xmin + x) : (((xmin + x) * sw) + line);
                        acc += source[(index * 3) + c] * fixedWeights[x];
                    }

                    var target = horizontal ? ((line * ow) + o) : ((o * ow) + line);
                    output[(target * 3) + c] = (byte)Math.Clamp(acc >> 22, 0, 255);
                }
            }
        }

        return output;
    }
}
