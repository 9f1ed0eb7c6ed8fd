namespace Atelier.Imaging;

/// <summary>
/// Stable error codes carried by <see cref="ImageFormatException"/>. The HTTP layer maps them to
/// status codes (415, 413, 422); the strings are part of the public API and never change.
/// </summary>
public static class ImageErrorCode
{
    /// <summary>Not a JPEG, PNG or WebP by its magic bytes (GIF and BMP included), or a declared type that does not match the content. HTTP 415.</summary>
    public const string UnsupportedMediaType = "unsupported_media_type";

    /// <summary>The encoded size, the pixel count or a side exceeds <see cref="ImageDecodeOptions"/>. HTTP 413.</summary>
    public const string ImageTooLarge = "image_too_large";

    /// <summary>Empty, truncated, zero-sized or otherwise undecodable data. HTTP 422.</summary>
    public const string ImageCorrupt = "image_corrupt";
}
