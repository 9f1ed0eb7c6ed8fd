namespace Atelier.Imaging.Tests;

public sealed class SamTransformTests
{
    [Theory]
    [InlineData(1200, 1800, 683, 1024)] // 1200·1024/1800 = 682.67
    [InlineData(480, 640, 768, 1024)]
    [InlineData(640, 480, 1024, 768)]
    [InlineData(1080, 1920, 576, 1024)]
    [InlineData(333, 777, 439, 1024)] // 333·1024/777 = 438.86
    [InlineData(1024, 1024, 1024, 1024)]
    [InlineData(2000, 3, 1024, 2)] // 3·0.512 = 1.536 → (int)2.036 = 2
    [InlineData(100, 50, 1024, 512)]
    public void Target_size_follows_resize_longest_side(int height, int width, int expectedHeight, int expectedWidth)
    {
        var transform = new SamTransform(width, height);

        Assert.Equal((expectedHeight, expectedWidth), (transform.ResizedHeight, transform.ResizedWidth));
        Assert.Equal((expectedHeight, expectedWidth), SamTransform.GetPreprocessShape(height, width, 1024));
    }

    [Fact]
    public void Preprocess_normalises_per_channel_and_pads_with_zeros_after_normalising()
    {
        using var image = Fixtures.Image(300, 200, (_, _, c) => (byte)(c == 0 ? 0 : c == 1 ? 128 : 255));
        var transform = new SamTransform(300, 200);
        var chw = new float[transform.ChwLength];
        Array.Fill(chw, float.NaN);

        transform.Preprocess(image, chw);

        const int l = 1024, plane = l * l;
        Assert.Equal(683, transform.ResizedHeight);
        float[] expected = [(0 - 123.675f) / 58.395f, (128 - 116.28f) / 57.12f, (255 - 103.53f) / 57.375f];
        Assert.Equal(-2.1179, expected[0], 4);
        for (var c = 0; c < 3; c++)
        {
            Assert.Equal(expected[c], chw[(c * plane) + 0]);
            Assert.Equal(expected[c], chw[(c * plane) + (682 * l) + 1023]);
            Assert.Equal(0f, chw[(c * plane) + (683 * l)]); // first padded row
            Assert.Equal(0f, chw[(c * plane) + plane - 1]);
        }

        Assert.DoesNotContain(chw, float.IsNaN);
    }

    [Fact]
    public void Preprocess_writes_the_resized_pixels_in_planar_order()
    {
        var random = new Random(11);
        using var image = Fixtures.Image(150, 260, (_, _, _) => (byte)random.Next(256));
        var transform = new SamTransform(150, 260, targetLength: 64);
        var chw = new float[transform.ChwLength];

        transform.Preprocess(image, chw);
        using var resized = transform.Resize(image);

        Assert.Equal((37, 64), (resized.Width, resized.Height)); // 150·64/260 = 36.9
        float[] mean = [123.675f, 116.28f, 103.53f], std = [58.395f, 57.12f, 57.375f];
        for (var y = 0; y < 64; y++)
        {
            for (var x = 0; x < 64; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    var expected = x < 37 ? (resized.Pixels[(((y * 37) + x) * 3) + c] - mean[c]) / std[c] : 0f;
                    Assert.Equal(expected, chw[(c * 64 * 64) + (y * 64) + x]);
                }
            }
        }
    }

    [Fact]
    public void Preprocess_hwc_is_the_resized_image_as_floats()
    {
        using var image = Fixtures.Image(90, 40, Fixtures.Smooth);
        var transform = new SamTransform(90, 40, targetLength: 45);
        var hwc = new float[transform.HwcLength];

        transform.PreprocessHwc(image, hwc);
        using var resized = transform.Resize(image);

        Assert.Equal(45 * 20 * 3, hwc.Length);
        for (var i = 0; i < hwc.Length; i++)
        {
            Assert.Equal(resized.Pixels[i], hwc[i]);
        }
    }

    [Fact]
    public void Coordinates_scale_by_resized_over_original_per_axis()
    {
        var transform = new SamTransform(1800, 1200); // neww 1024, newh 683
        float[] points = [900, 600, 0, 1200];
        float[] box = [180, 120, 1800, 1200];

        transform.ApplyCoords(points);
        transform.ApplyBoxes(box);

        Assert.Equal([512f, 341.5f, 0f, 683f], points);
        Assert.Equal([102.4f, 68.3f, 1024f, 683f], box);
    }

    [Theory]
    [InlineData(200, 300)]
    [InlineData(170, 130)]
    [InlineData(97, 97)]
    public void Postprocess_matches_a_direct_pytorch_style_reference(int width, int height)
    {
        var random = new Random(width + height);
        var lowRes = new float[256 * 256];
        for (var i = 0; i < lowRes.Length; i++)
        {
            lowRes[i] = (float)((random.NextDouble() * 8) - 4);
        }

        var transform = new SamTransform(width, height);
        var logits = new float[width * height];
        transform.PostprocessLogits(lowRes, logits);
        using var mask = transform.PostprocessMask(lowRes);

        var full = ReferenceBilinear(lowRes, 256, 256, 1024, 1024);
        var crop = new float[transform.ResizedHeight * transform.ResizedWidth];
        for (var y = 0; y < transform.ResizedHeight; y++)
        {
            Array.Copy(full, y * 1024, crop, y * transform.ResizedWidth, transform.ResizedWidth);
        }

        var expected = ReferenceBilinear(crop, transform.ResizedHeight, transform.ResizedWidth, height, width);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - logits[i]) < 1e-5f, $"pixel {i}: expected {expected[i]}, got {logits[i]}");
            Assert.Equal(expected[i] > 0 ? Mask.On : 0, mask.Data[i]);
        }
    }

    [Theory]
    [InlineData(1800, 1200, 0f, "noise")]
    [InlineData(1800, 1200, 1.5f, "noise")]
    [InlineData(33, 1025, -0.75f, "noise")]
    [InlineData(1800, 1200, 0f, "disk")]
    [InlineData(1200, 1800, 0f, "disk")]
    [InlineData(640, 480, 2f, "plateaus")]
    [InlineData(1800, 1200, 0f, "plateaus")]
    [InlineData(777, 555, 0f, "nan")]
    public void The_mask_is_exactly_the_upscaled_logits_above_the_threshold(int width, int height, float threshold, string shape)
    {
        // Noise puts the threshold under almost every chunk; a disk and plateaus (regions exactly at, and a few ulps
        // above and below, the threshold) leave most chunks uniform, taking the fill path next to exact ones.
        var random = new Random(width ^ height);
        var lowRes = new float[256 * 256];
        for (var i = 0; i < lowRes.Length; i++)
        {
            int x = i % 256, y = i / 256;
            lowRes[i] = shape switch
            {
                "noise" => (float)((random.NextDouble() * 8) - 4),
                "disk" => (float)(30 - Math.Sqrt(((x - 100) * (x - 100)) + ((y - 90) * (y - 90)))),
                "plateaus" => (x / 32) switch
                {
                    0 => threshold,
                    1 => MathF.BitIncrement(threshold),
                    2 => MathF.BitDecrement(threshold),
                    3 => threshold + 1e-6f,
                    4 => -20f,
                    _ => 20f,
                },
                _ => x == 60 && y == 70 ? float.NaN : (float)(30 - Math.Sqrt(((x - 60) * (x - 60)) + ((y - 70) * (y - 70)))),
            };
        }

        var transform = new SamTransform(width, height);
        var logits = new float[width * height];
        transform.PostprocessLogits(lowRes, logits);
        using var mask = transform.PostprocessMask(lowRes, threshold);

        for (var i = 0; i < logits.Length; i++)
        {
            if (mask.Data[i] != (logits[i] > threshold ? Mask.On : 0))
            {
                Assert.Fail($"pixel {i % width},{i / width}: logit {logits[i]} vs threshold {threshold}, mask {mask.Data[i]}");
            }
        }
    }

    [Fact]
    public void Postprocess_splits_a_half_positive_low_res_mask_down_the_middle()
    {
        var lowRes = new float[256 * 256];
        for (var y = 0; y < 256; y++)
        {
            for (var x = 0; x < 256; x++)
            {
                lowRes[(y * 256) + x] = x < 128 ? 5f : -5f;
            }
        }

        using var mask = new SamTransform(512, 512).PostprocessMask(lowRes);

        for (var y = 0; y < 512; y += 51)
        {
            Assert.Equal(Mask.On, mask.Data[(y * 512) + 255]);
            Assert.Equal(0, mask.Data[(y * 512) + 256]);
        }

        Assert.Equal(256L * 512, MaskOps.Area(mask));
    }

    /// <summary>F.interpolate(mode="bilinear", align_corners=False) written out pixel by pixel.</summary>
    private static float[] ReferenceBilinear(float[] source, int inH, int inW, int outH, int outW)
    {
        var result = new float[outH * outW];
        for (var oy = 0; oy < outH; oy++)
        {
            var sy = Math.Max(0f, ((float)inH / outH * (oy + 0.5f)) - 0.5f);
            var y0 = (int)sy;
            var y1 = y0 < inH - 1 ? y0 + 1 : y0;
            var ly1 = sy - y0;
            var ly0 = 1f - ly1;
            for (var ox = 0; ox < outW; ox++)
            {
                var sx = Math.Max(0f, ((float)inW / outW * (ox + 0.5f)) - 0.5f);
                var x0 = (int)sx;
                var x1 = x0 < inW - 1 ? x0 + 1 : x0;
                var lx1 = sx - x0;
                var lx0 = 1f - lx1;
                var top = (source[(y0 * inW) + x0] * lx0) + (source[(y0 * inW) + x1] * lx1);
                var bottom = (source[(y1 * inW) + x0] * lx0) + (source[(y1 * inW) + x1] * lx1);
                result[(oy * outW) + ox] = (top * ly0) + (bottom * ly1);
            }
        }

        return result;
    }
}
