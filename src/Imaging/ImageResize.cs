namespace Atelier.Imaging;

/// <summary>Generic resizing, cropping and letterboxing for fixed-size models (e.g. LaMa at 512).</summary>
public static class ImageResize
{
    /// <summary>Resizes an image (Pillow semantics, see <see cref="ResizeFilter"/>). The caller disposes the result.</summary>
    public static RgbImage Resize(RgbImage image, int width, int height, ResizeFilter filter = ResizeFilter.Bilinear)
    {
        ArgumentNullException.ThrowIfNull(image);
        var result = new RgbImage(width, height);
        Resampler.Resize(image.Pixels, image.Width, image.Height, result.Pixels, width, height, 3, filter);
        return result;
    }

    /// <summary>Resizes an 8-bit plane (a mask or alpha). A binary mask comes back with intermediate values at edges; threshold it again with <see cref="MaskOps.Threshold(Mask, byte)"/>.</summary>
    public static Mask Resize(Mask mask, int width, int height, ResizeFilter filter = ResizeFilter.Bilinear)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var result = new Mask(width, height, clear: false);
        Resampler.Resize(mask.Data, mask.Width, mask.Height, result.Data, width, height, 1, filter);
        return result;
    }

    /// <summary>Copies the rectangle (x, y, width, height), which must lie inside the image.</summary>
    public static RgbImage Crop(RgbImage image, int x, int y, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > image.Width || y + height > image.Height)
        {
            throw new ArgumentOutOfRangeException(nameof(x), $"The rectangle ({x}, {y}, {width}, {height}) is not inside the {image.Width}x{image.Height} image.");
        }

        var result = new RgbImage(width, height);
        for (var row = 0; row < height; row++)
        {
            image.Row(y + row).Slice(x * 3, width * 3).CopyTo(result.Row(row));
        }

        return result;
    }

    /// <summary>
    /// Scales the image to fit a <paramref name="size"/>×<paramref name="size"/> canvas keeping its aspect ratio
    /// (longest side = size, other side <c>(int)(side·scale + 0.5)</c>), centres it and fills the rest with
    /// <paramref name="padValue"/> in every channel. Returns the canvas (caller disposes) and the mapping.
    /// </summary>
    public static (RgbImage Canvas, LetterboxTransform Transform) Letterbox(RgbImage image, int size, byte padValue = 0, ResizeFilter filter = ResizeFilter.Bilinear)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        var (contentHeight, contentWidth) = SamTransform.GetPreprocessShape(image.Height, image.Width, size);
        contentWidth = Math.Max(1, contentWidth);
        contentHeight = Math.Max(1, contentHeight);
        var scale = (double)size / Math.Max(image.Width, image.Height);
        var offsetX = (size - contentWidth) / 2;
        var offsetY = (size - contentHeight) / 2;
        var canvas = new RgbImage(size, size);
        try
        {
            canvas.Pixels.Fill(padValue);
            using var content = Resize(image, contentWidth, contentHeight, filter);
            for (var row = 0; row < contentHeight; row++)
            {
                content.Row(row).CopyTo(canvas.Row(offsetY + row)[(offsetX * 3)..]);
            }

            return (canvas, new LetterboxTransform(size, scale, offsetX, offsetY, contentWidth, contentHeight));
        }
        catch
        {
            canvas.Dispose();
            throw;
        }
    }
}
