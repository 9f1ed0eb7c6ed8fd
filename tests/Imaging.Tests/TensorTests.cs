namespace Atelier.Imaging.Tests;

public sealed class TensorTests
{
    [Fact]
    public void Float_bilinear_upscale_interpolates_between_samples()
    {
        // 2 → 4 with align_corners=False: source positions −0.25 (clamped to 0), 0.25, 0.75, 1.25 (→ 1).
        float[] source = [0f, 100f];
        var destination = new float[4];

        FloatResize.Bilinear(source, 2, 1, destination, 4, 1);

        Assert.Equal([0f, 25f, 75f, 100f], destination);
    }

    [Fact]
    public void Float_bilinear_downscale_by_two_averages_pairs()
    {
        float[] source = [0f, 10f, 20f, 30f, 40f, 50f, 60f, 70f];
        var destination = new float[2];

        FloatResize.Bilinear(source, 4, 2, destination, 2, 1);

        // x: positions 0.5, 2.5 → (0+10)/2, (20+30)/2; y: position 0.5 → average of the two rows.
        Assert.Equal([(5f + 45f) / 2, (25f + 65f) / 2], destination);
    }

    [Fact]
    public void To_chw_normalises_into_planes_and_from_chw_inverts_it()
    {
        using var image = Fixtures.Image(5, 3, (x, y, c) => (byte)((x * 40) + (y * 7) + c));
        var tensor = new float[3 * 15];

        ImageTensor.ToChw(image, tensor, 1f / 255, [0.5f, 0.5f, 0.5f], [1f, 1f, 1f]);

        Assert.Equal((image.Pixels[(((2 * 5) + 4) * 3) + 1] / 255f) - 0.5f, tensor[15 + (2 * 5) + 4], 6);
        for (var i = 0; i < tensor.Length; i++)
        {
            tensor[i] += 0.5f;
        }

        using var back = ImageTensor.FromChw(tensor, 5, 3, 255f);
        Assert.True(image.Pixels.SequenceEqual(back.Pixels));
    }

    [Fact]
    public void From_chw_clamps_out_of_range_values()
    {
        float[] tensor = [-0.5f, 1.5f, float.NaN];

        using var image = ImageTensor.FromChw(tensor, 1, 1, 255f);

        Assert.Equal(new byte[] { 0, 255, 0 }, image.Pixels.ToArray());
    }
}
