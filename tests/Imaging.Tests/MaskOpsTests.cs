namespace Atelier.Imaging.Tests;

public sealed class MaskOpsTests
{
    private static Mask RandomMask(int width, int height, double density, int seed)
    {
        var random = new Random(seed);
        var mask = new Mask(width, height);
        for (var i = 0; i < width * height; i++)
        {
            mask.Data[i] = random.NextDouble() < density ? Mask.On : (byte)0;
        }

        return mask;
    }

    /// <summary>cv2.dilate with np.ones((k, k)): max over [x − k/2, x − k/2 + k − 1] × the same in y, border ignored.</summary>
    private static byte[] NaiveDilate(Mask mask, int k)
    {
        int w = mask.Width, h = mask.Height, a = k / 2;
        var result = new byte[w * h];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var any = false;
                for (var dy = 0; dy < k && !any; dy++)
                {
                    for (var dx = 0; dx < k && !any; dx++)
                    {
                        int sx = x - a + dx, sy = y - a + dy;
                        any = sx >= 0 && sy >= 0 && sx < w && sy < h && mask[sx, sy];
                    }
                }

                result[(y * w) + x] = any ? Mask.On : (byte)0;
            }
        }

        return result;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(15)]
    [InlineData(40)]
    public void Dilate_equals_a_naive_reference_on_random_masks(int k)
    {
        foreach (var (w, h, density, seed) in new[] { (37, 23, 0.02, 1), (64, 64, 0.2, 2), (5, 50, 0.05, 3), (31, 1, 0.1, 4) })
        {
            using var mask = RandomMask(w, h, density, seed + k);
            using var dilated = MaskOps.Dilate(mask, k);

            Assert.Equal(NaiveDilate(mask, k), dilated.Data.ToArray());
        }
    }

    [Fact]
    public void Dilate_with_even_kernel_uses_opencv_anchor_k_over_2()
    {
        using var mask = new Mask(6, 6);
        mask.Data[(2 * 6) + 2] = 1; // any non-zero byte counts

        using var dilated = MaskOps.Dilate(mask, 2);

        // Window [x − 1, x]: the pixel spreads right and down.
        Assert.Equal(4L, MaskOps.Area(dilated));
        Assert.True(dilated[2, 2] && dilated[3, 2] && dilated[2, 3] && dilated[3, 3]);
        Assert.Equal(new MaskBox(2, 2, 2, 2), MaskOps.BoundingBox(dilated));
    }

    [Fact]
    public void Area_and_bounding_box_cover_the_foreground()
    {
        using var mask = new Mask(50, 40);
        mask.Data[(5 * 50) + 7] = Mask.On;
        mask.Data[(30 * 50) + 44] = Mask.On;
        mask.Data[(12 * 50) + 3] = 9;

        Assert.Equal(3L, MaskOps.Area(mask));
        Assert.Equal(new MaskBox(3, 5, 42, 26), MaskOps.BoundingBox(mask));
    }

    [Fact]
    public void Bounding_box_of_an_empty_mask_is_null()
    {
        using var mask = new Mask(8, 8);
        Assert.Null(MaskOps.BoundingBox(mask));
        Assert.Equal(0L, MaskOps.Area(mask));
    }

    [Fact]
    public void Threshold_of_floats_is_strictly_greater()
    {
        var random = new Random(9);
        var values = new float[33 * 17];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = random.Next(5) == 0 ? 0f : (float)(random.NextDouble() - 0.5);
        }

        using var mask = MaskOps.Threshold(values, 33, 17);

        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(values[i] > 0f ? Mask.On : 0, mask.Data[i]);
        }
    }

    [Fact]
    public void Threshold_of_a_plane_binarises_to_0_and_255()
    {
        using var plane = new Mask(70, 3);
        for (var i = 0; i < plane.Data.Length; i++)
        {
            plane.Data[i] = (byte)(i * 3);
        }

        using var mask = MaskOps.Threshold(plane, 127);

        for (var i = 0; i < plane.Data.Length; i++)
        {
            Assert.Equal(plane.Data[i] > 127 ? Mask.On : 0, mask.Data[i]);
        }
    }

    [Fact]
    public void Composite_takes_masked_pixels_from_the_foreground()
    {
        using var background = Fixtures.Image(4, 2, (_, _, _) => 10);
        using var foreground = Fixtures.Image(4, 2, (x, _, c) => (byte)(100 + x + c));
        using var mask = new Mask(4, 2);
        mask.Data[1] = Mask.On;
        mask.Data[6] = Mask.On;

        using var result = MaskOps.Composite(background, foreground, mask);

        Assert.Equal(new byte[] { 10, 10, 10 }, Fixtures.Pixel(result, 0, 0));
        Assert.Equal(new byte[] { 101, 102, 103 }, Fixtures.Pixel(result, 1, 0));
        Assert.Equal(new byte[] { 102, 103, 104 }, Fixtures.Pixel(result, 2, 1));
        Assert.Equal(new byte[] { 10, 10, 10 }, Fixtures.Pixel(result, 3, 1));
    }
}
