namespace Atelier.Imaging;

/// <summary>
/// Turns an untrusted upload into an upright 8-bit RGB image. The format comes from the magic bytes;
/// a declared content type, when given, must agree with them. Limits (<see cref="ImageDecodeOptions"/>)
/// are checked on the encoded size and on the header's dimensions before any pixel is allocated.
/// Every failure is an <see cref="ImageFormatException"/> with a stable <see cref="ImageFormatException.Code"/>.
/// Only JPEG, PNG and WebP pass the sniffing: the other formats Skia could decode (GIF, BMP, ICO, WBMP, …) answer
/// <see cref="ImageErrorCode.UnsupportedMediaType"/> and never reach a codec. The decoding itself is Skia's
/// (<see cref="SkiaDecoder"/>).
/// </summary>
public static class ImageDecoder
{
    /// <summary>The format named by the magic bytes, or <see cref="ImageFormat.Unknown"/>.</summary>
    public static ImageFormat DetectFormat(ReadOnlySpan<byte> data) => FormatSniffer.Detect(data);

    /// <summary>
    /// Decodes JPEG, PNG or WebP (the first frame of an animated WebP) to upright RGB8 (EXIF orientation applied; alpha,
    /// if any, unpremultiplied in <see cref="RgbImage.Alpha"/>). The caller disposes the result.
    /// </summary>
    /// <param name="data">The encoded bytes.</param>
    /// <param name="declaredContentType">The client's Content-Type, or <see langword="null"/>; <c>application/octet-stream</c> declares nothing.</param>
    /// <param name="options">Limits; <see cref="ImageDecodeOptions.Default"/> when <see langword="null"/>.</param>
    /// <exception cref="ImageFormatException">The data is not an acceptable image.</exception>
    public static RgbImage Decode(ReadOnlySpan<byte> data, string? declaredContentType = null, ImageDecodeOptions? options = null)
    {
        options ??= ImageDecodeOptions.Default;
        if (data.IsEmpty)
        {
            ImageFormatException.ThrowCorrupt("The upload is empty.");
        }

        if (data.Length > options.MaxEncodedBytes)
        {
            ImageFormatException.ThrowTooLarge($"The upload is {data.Length} bytes; at most {options.MaxEncodedBytes} are allowed.");
        }

        var format = FormatSniffer.Detect(data);
        if (format == ImageFormat.Unknown)
        {
            ImageFormatException.ThrowUnsupported("The data is not a JPEG, PNG or WebP image.");
        }

        var declared = FormatSniffer.FromContentType(declaredContentType);
        if (declared is { } d && d != format)
        {
            ImageFormatException.ThrowUnsupported($"The declared type '{declaredContentType}' does not match the content ({format}).");
        }

        return SkiaDecoder.Decode(data, format, options);
    }

    /// <summary>
    /// Decodes an uploaded mask image (usually a grayscale PNG, white = selected) to a 0/255 <see cref="Mask"/>.
    /// If the image has an alpha channel that is not fully opaque, coverage comes from alpha; otherwise from the
    /// luma (ITU-R 601: (299 R + 587 G + 114 B) / 1000, which is the gray level for gray images). A pixel is
    /// foreground when that value is above <paramref name="threshold"/> (default 127). The caller disposes the mask.
    /// </summary>
    /// <exception cref="ImageFormatException">The data is not an acceptable image.</exception>
    public static Mask DecodeMask(ReadOnlySpan<byte> data, string? declaredContentType = null, ImageDecodeOptions? options = null, byte threshold = 127)
    {
        using var image = Decode(data, declaredContentType, options);
        if (image.Alpha is { } alpha && alpha.Data.IndexOfAnyExcept((byte)255) >= 0)
        {
            return MaskOps.Threshold(alpha, threshold);
        }

        var mask = new Mask(image.Width, image.Height, clear: false);
        var pixels = image.Pixels;
        var dst = mask.Data;
        for (int i = 0, p = 0; i < dst.Length; i++, p += 3)
        {
            var luma = ((299 * pixels[p]) + (587 * pixels[p + 1]) + (114 * pixels[p + 2]) + 500) / 1000;
            dst[i] = luma > threshold ? Mask.On : (byte)0;
        }

        return mask;
    }
}
