namespace Atelier.Imaging;

/// <summary>PNG encoding (8-bit gray for masks, 8-bit RGB for images) through the managed single-pass <see cref="Codecs.PngWriter"/>.</summary>
public static class PngEncoder
{
    /// <summary>
    /// Encodes a mask (or any 8-bit plane) as an 8-bit grayscale PNG, bytes as they are (0/255 masks stay 0/255).
    /// Single pass, fastest zlib level (see <see cref="Codecs.PngWriter"/>): masks are sent on every click.
    /// </summary>
    public static byte[] Encode(Mask mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        return Codecs.PngWriter.WriteGray(mask.Data, mask.Width, mask.Height, System.IO.Compression.CompressionLevel.Fastest);
    }

    /// <summary>Encodes an RGB image as an 8-bit RGB PNG (single pass, Sub filter, fastest zlib level).</summary>
    public static byte[] Encode(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Codecs.PngWriter.WriteRgb(image.Pixels, image.Width, image.Height, System.IO.Compression.CompressionLevel.Fastest);
    }
}
