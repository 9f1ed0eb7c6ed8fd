namespace Atelier.Imaging.Tests;

public sealed class RleCodecTests
{
    /// <summary>Builds a mask from its column-major runs (background first), the way COCO counts them.</summary>
    private static Mask FromRuns(int height, int width, params int[] runs)
    {
        var mask = new Mask(width, height);
        var i = 0;
        for (var r = 0; r < runs.Length; r++)
        {
            for (var n = 0; n < runs[r]; n++, i++)
            {
                if (r % 2 == 1)
                {
                    mask.Data[(i % height * width) + (i / height)] = Mask.On;
                }
            }
        }

        Assert.Equal(width * height, i);
        return mask;
    }

    // Hand-computed pycocotools strings: each run (from the fourth on, minus the run two before) is
    // written in 5-bit groups + 48, 0x20 = more groups, 0x10 of the last group = sign.
    [Theory]
    [InlineData(3, 3, new[] { 9 }, "9")] // all background
    [InlineData(2, 3, new[] { 0, 6 }, "06")] // all foreground: leading empty background run
    [InlineData(2, 2, new[] { 1, 3 }, "13")]
    [InlineData(7, 2, new[] { 5, 3, 2, 4 }, "5321")] // 4th run: 4 − 3 = 1
    [InlineData(11, 1, new[] { 5, 3, 2, 1 }, "532N")] // 4th run: 1 − 3 = −2 → 30 + 48 = 'N'
    [InlineData(10, 5, new[] { 40, 10 }, "X1:")] // 40 = 8 | 32·1 → 'X' (8 + 32 + 48), '1'; 10 → ':'
    public void Encode_produces_the_hand_computed_coco_string(int height, int width, int[] runs, string expected)
    {
        using var mask = FromRuns(height, width, runs);

        var rle = RleCodec.Encode(mask);

        Assert.Equal(new CocoRle(height, width, expected), rle);
        using var decoded = RleCodec.Decode(rle);
        Assert.Equal(mask.Data.ToArray(), decoded.Data.ToArray());
    }

    [Fact]
    public void Encode_walks_pixels_in_column_major_order()
    {
        // Row-major [[0, 1], [1, 1]] is column-major 0, 1, 1, 1: runs [1, 3].
        using var mask = new Mask(2, 2);
        mask.Data[1] = mask.Data[2] = mask.Data[3] = Mask.On;

        Assert.Equal("13", RleCodec.Encode(mask).Counts);
    }

    [Fact]
    public void Encode_and_decode_round_trip_random_masks()
    {
        var random = new Random(21);
        foreach (var (w, h, density) in new[] { (120, 80, 0.5), (64, 300, 0.01), (1, 1, 1.0), (333, 7, 0.97) })
        {
            using var mask = new Mask(w, h);
            for (var i = 0; i < w * h; i++)
            {
                mask.Data[i] = random.NextDouble() < density ? Mask.On : (byte)0;
            }

            var rle = RleCodec.Encode(mask);
            using var decoded = RleCodec.Decode(rle);

            Assert.Equal((h, w), (rle.Height, rle.Width));
            Assert.Equal(mask.Data.ToArray(), decoded.Data.ToArray());
        }
    }

    [Fact]
    public void Encode_handles_long_runs_needing_several_groups()
    {
        // 1000×1000, one foreground pixel in the middle column: runs of about 500,000 need four 5-bit groups.
        using var mask = new Mask(1000, 1000);
        mask.Data[(500 * 1000) + 500] = Mask.On;

        var rle = RleCodec.Encode(mask);
        using var decoded = RleCodec.Decode(rle);

        Assert.Equal(1L, MaskOps.Area(decoded));
        Assert.True(decoded[500, 500]);
    }

    [Theory]
    [InlineData("")] // covers no pixels
    [InlineData("5")] // 5 of 9 pixels
    [InlineData("95")] // more than 9 pixels
    [InlineData("9 ")] // character below '0'
    [InlineData("X")] // continuation bit with nothing after it
    public void Decode_rejects_malformed_counts(string counts) =>
        Assert.Throws<FormatException>(() => RleCodec.Decode(new CocoRle(3, 3, counts)).Dispose());

    [Theory]
    [InlineData(33, 17, 0.3)]
    [InlineData(1000, 9, 0.02)]
    [InlineData(70, 65, 0.9)]
    [InlineData(257, 129, 0.5)]
    public void Encode_matches_a_naive_column_walk_for_any_non_zero_values(int width, int height, double density)
    {
        var random = new Random(width * 31 + height);
        using var mask = new Mask(width, height);
        for (var i = 0; i < mask.Data.Length; i++)
        {
            // Non-zero values other than 255 count as foreground too.
            mask.Data[i] = random.NextDouble() < density ? (byte)random.Next(1, 256) : (byte)0;
        }

        var runs = new List<long>();
        var current = false;
        long run = 0;
        for (var x = 0; x < width; x++)
        {
            for (var y = 0; y < height; y++)
            {
                var on = mask.Data[(y * width) + x] != 0;
                if (on != current)
                {
                    runs.Add(run);
                    run = 0;
                    current = on;
                }

                run++;
            }
        }

        runs.Add(run);
        var decoded = RleCodec.Decode(RleCodec.Encode(mask));
        using (decoded)
        {
            for (var i = 0; i < mask.Data.Length; i++)
            {
                Assert.Equal(mask.Data[i] != 0, decoded.Data[i] != 0);
            }
        }

        using var reference = FromRuns(height, width, runs.Select(r => (int)r).ToArray());
        Assert.Equal(RleCodec.Encode(reference), RleCodec.Encode(mask));
    }
}
