using Atelier.Imaging.Codecs;

namespace Atelier.Imaging;

/// <summary>
/// Turns an untrusted upload into an upright 8-bit RGB image. The format comes from the magic bytes;
/// a declared content type, when given, must agree with them. Limits (<see cref="ImageDecodeOptions"/>)
/// are checked on the encoded size and on the header's dimensions before any pixel is allocated.
/// Every failure is an <see cref="ImageFormatException"/> with a stable <see cref="ImageFormatException.Code"/>.
/// </summary>
public static class ImageDecoder
{
    /// <summary>The format named by the magic bytes, or <see cref="ImageFormat.Unknown"/>.</summary>
    public static ImageFormat DetectFormat(ReadOnlySpan<byte> data) => FormatSniffer.Detect(data);

    /// <summary>Decodes JPEG, PNG or WebP to RGB8 (alpha, if any, in <see cref="RgbImage.Alpha"/>). The caller disposes the result.</summary>
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

        return format switch
        {
            ImageFormat.Jpeg => JpegCodec.Decode(data, options),
            ImageFormat.Png => PngCodec.Decode(data, options),
            _ => WebPCodec.Decode(data, options),
        };
    }
}
