namespace Atelier.Imaging.Tests;

public sealed class ResamplerTests
{
    [Theory]
    [InlineData(1800, 1024, ResizeFilter.Bilinear)]
    [InlineData(1200, 683, ResizeFilter.Bilinear)]
    [InlineData(7, 3, ResizeFilter.Bilinear)]
    [InlineData(3, 10, ResizeFilter.Bilinear)]
    [InlineData(100, 100, ResizeFilter.Bilinear)]
    [InlineData(1000, 512, ResizeFilter.Area)]
    [InlineData(5, 17, ResizeFilter.Area)]
    public void Triangle_and_box_weights_sum_to_one(int inSize, int outSize, ResizeFilter filter)
    {
        using var kernel = Resampler.Precompute(inSize, outSize, filter);

        for (var i = 0; i < outSize; i++)
        {
            var count = kernel.Bounds[(i * 2) + 1];
            var weights = kernel.Weights.AsSpan(i * kernel.Size, count);
            var sum = 0.0;
            var fixedSum = 0;
            foreach (var w in weights)
            {
                Assert.True(w >= 0);
                sum += w;
            }

            foreach (var c in kernel.Coefficients.AsSpan(i * kernel.Size, count))
            {
                fixedSum += c;
            }

            Assert.Equal(1.0, sum, 12);
            Assert.InRange(fixedSum, (1 << 22) - count, (1 << 22) + count); // each coefficient rounds by at most ½
            Assert.True(kernel.Bounds[i * 2] >= 0 && kernel.Bounds[i * 2] + count <= inSize);
        }
    }

    [Fact]
    public void Downscale_support_widens_with_the_scale_factor()
    {
        using var half = Resampler.Precompute(100, 50, ResizeFilter.Bilinear); // support 2 → up to 4 taps
        using var quarter = Resampler.Precompute(100, 25, ResizeFilter.Bilinear); // support 4 → up to 8 taps
        using var up = Resampler.Precompute(50, 100, ResizeFilter.Bilinear); // support 1 → up to 2 taps

        Assert.Equal(4, half.Bounds[(10 * 2) + 1]);
        Assert.Equal(8, quarter.Bounds[(10 * 2) + 1]);
        Assert.True(up.Bounds[(10 * 2) + 1] <= 2);
    }

    [Theory]
    [InlineData(ResizeFilter.Bilinear)]
    [InlineData(ResizeFilter.Area)]
    public void Constant_image_stays_constant(ResizeFilter filter)
    {
        using var source = Fixtures.Image(97, 61, (_, _, c) => (byte)(50 + (c * 70)));

        foreach (var (w, h) in new[] { (40, 23), (200, 150), (97, 30), (13, 61), (1, 1) })
        {
            using var resized = ImageResize.Resize(source, w, h, filter);
            for (var i = 0; i < w * h; i++)
            {
                Assert.Equal(new byte[] { 50, 120, 190 }, resized.Pixels.Slice(i * 3, 3).ToArray());
            }
        }
    }

    [Fact]
    public void Bilinear_downscale_matches_the_hand_computed_pil_result()
    {
        // 4 → 2: scale 2, support 2. Output 0: centre 1, taps x = 0..2 with triangle weights 0.75, 0.75, 0.25
        // (normalised 3/7, 3/7, 1/7): (0·3 + 100·3 + 200)/7 = 71.43 → 71. Output 1: centre 3, taps 1..3 with
        // 0.25, 0.75, 0.75: (100 + 200·3 + 255·3)/7 = 209.29 → 209.
        Assert.Equal(new byte[] { 71, 209 }, ResizeRow([0, 100, 200, 255], 2, ResizeFilter.Bilinear));
    }

    [Fact]
    public void Bilinear_upscale_matches_the_hand_computed_pil_result()
    {
        // 2 → 4: scale ½, support 1. Centres 0.25, 0.75, 1.25, 1.75 give weights (1), (¾, ¼), (¼, ¾), (1).
        Assert.Equal(new byte[] { 0, 25, 75, 100 }, ResizeRow([0, 100], 4, ResizeFilter.Bilinear));
    }

    [Fact]
    public void Area_downscale_averages_whole_blocks()
    {
        // 6 → 2 with the box filter: each output averages three inputs.
        Assert.Equal(new byte[] { 20, 50 }, ResizeRow([10, 20, 30, 40, 50, 60], 2, ResizeFilter.Area));
    }

    [Fact]
    public void Two_dimensional_resize_is_separable_like_pil()
    {
        // 2×2 → 4×4 upscale of a gradient: columns then rows, each with the (1), (¾,¼), (¼,¾), (1) weights.
        using var source = Fixtures.Image(2, 2, (x, y, _) => (byte)((x * 100) + (y * 40)));
        using var resized = ImageResize.Resize(source, 4, 4);
        byte[] expectedRow0 = [0, 25, 75, 100];
        byte[] expectedColumn0 = [0, 10, 30, 40];
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(expectedRow0[i], resized.Pixels[i * 3]);
            Assert.Equal(expectedColumn0[i], resized.Pixels[i * 4 * 3]);
        }

        Assert.Equal(140, resized.Pixels[((3 * 4) + 3) * 3]);
    }

    [Fact]
    public void Mask_resize_keeps_a_single_channel()
    {
        using var mask = new Mask(8, 8);
        mask.Data[..32].Fill(Mask.On);

        using var resized = ImageResize.Resize(mask, 4, 4, ResizeFilter.Area);

        Assert.Equal(Mask.On, resized.Data[0]);
        Assert.Equal(0, resized.Data[15]);
    }

    private static byte[] ResizeRow(byte[] gray, int outWidth, ResizeFilter filter)
    {
        using var source = Fixtures.Image(gray.Length, 1, (x, _, _) => gray[x]);
        using var resized = ImageResize.Resize(source, outWidth, 1, filter);
        var row = new byte[outWidth];
        for (var i = 0; i < outWidth; i++)
        {
            row[i] = resized.Pixels[i * 3];
        }

        return row;
    }
}
