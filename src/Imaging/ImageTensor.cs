namespace Atelier.Imaging;

/// <summary>Conversions between <see cref="RgbImage"/> and planar float32 tensors for models other than SAM (ISNet, LaMa).</summary>
public static class ImageTensor
{
    /// <summary>
    /// Writes <c>((v · scale) − mean[c]) / std[c]</c> for every pixel, planar [3, H, W] (R, G, B planes),
    /// into <paramref name="destination"/> (at least 3·W·H floats). E.g. ISNet: scale 1/255, mean 0.5, std 1;
    /// LaMa: scale 1/255, mean 0, std 1. Uses a 3×256 lookup table, so the cost is a load per value.
    /// </summary>
    public static void ToChw(RgbImage image, Span<float> destination, float scale, ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(mean.Length, 3);
        ArgumentOutOfRangeException.ThrowIfLessThan(std.Length, 3);
        var plane = image.Width * image.Height;
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, 3 * plane);
        Span<float> table = stackalloc float[3 * 256];
        for (var c = 0; c < 3; c++)
        {
            for (var v = 0; v < 256; v++)
            {
                table[(c * 256) + v] = ((v * scale) - mean[c]) / std[c];
            }
        }

        var pixels = image.Pixels;
        var r = destination[..plane];
        var g = destination.Slice(plane, plane);
        var b = destination.Slice(2 * plane, plane);
        for (int i = 0, p = 0; i < plane; i++, p += 3)
        {
            r[i] = table[pixels[p]];
            g[i] = table[256 + pixels[p + 1]];
            b[i] = table[512 + pixels[p + 2]];
        }
    }

    /// <summary>
    /// Builds an image from a planar [3, H, W] tensor: each value becomes <c>round(v · scale)</c> clamped to
    /// 0..255 (LaMa outputs 0..1 → scale 255; NaN → 0). The caller disposes the image.
    /// </summary>
    public static RgbImage FromChw(ReadOnlySpan<float> source, int width, int height, float scale)
    {
        var plane = width * height;
        ArgumentOutOfRangeException.ThrowIfLessThan(source.Length, 3 * plane);
        var image = new RgbImage(width, height);
        var pixels = image.Pixels;
        for (var c = 0; c < 3; c++)
        {
            var channel = source.Slice(c * plane, plane);
            for (int i = 0, p = c; i < plane; i++, p += 3)
            {
                var v = MathF.Round(channel[i] * scale);
                pixels[p] = v >= 255f ? (byte)255 : v > 0f ? (byte)v : (byte)0;
            }
        }

        return image;
    }
}
