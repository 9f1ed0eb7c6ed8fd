namespace Atelier.Imaging;

/// <summary>The header-time checks every decoder runs before allocating pixels.</summary>
internal static class DecodeLimits
{
    public static void Check(long width, long height, ImageDecodeOptions options)
    {
        if (width <= 0 || height <= 0)
        {
            ImageFormatException.ThrowCorrupt($"The image declares a zero size ({width}x{height}).");
        }

        if (width > options.MaxSide || height > options.MaxSide)
        {
            ImageFormatException.ThrowTooLarge($"The image is {width}x{height}; the largest side allowed is {options.MaxSide}.");
        }

        if (width * height > options.MaxPixels)
        {
            ImageFormatException.ThrowTooLarge($"The image has {width * height} pixels; at most {options.MaxPixels} are allowed.");
        }
    }
}
