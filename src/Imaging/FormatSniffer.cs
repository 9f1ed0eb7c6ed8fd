namespace Atelier.Imaging;

/// <summary>Recognises formats by magic bytes and maps declared content types.</summary>
internal static class FormatSniffer
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>JPEG: <c>FF D8 FF</c>; PNG: the 8-byte signature; WebP: <c>RIFF????WEBP</c>.</summary>
    public static ImageFormat Detect(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        {
            return ImageFormat.Jpeg;
        }

        if (data.StartsWith(PngSignature))
        {
            return ImageFormat.Png;
        }

        if (data.Length >= 12 && data[..4].SequenceEqual("RIFF"u8) && data.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            return ImageFormat.WebP;
        }

        return ImageFormat.Unknown;
    }

    /// <summary>
    /// The format a declared media type names: <see langword="null"/> when nothing specific was declared
    /// (absent, empty, <c>application/octet-stream</c>), <see cref="ImageFormat.Unknown"/> for any other type.
    /// Parameters (<c>; charset=…</c>) and case are ignored.
    /// </summary>
    public static ImageFormat? FromContentType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return null;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var type = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        if (type.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (type.Equals("image/jpeg", StringComparison.OrdinalIgnoreCase)
            || type.Equals("image/jpg", StringComparison.OrdinalIgnoreCase)
            || type.Equals("image/pjpeg", StringComparison.OrdinalIgnoreCase))
        {
            return ImageFormat.Jpeg;
        }

        if (type.Equals("image/png", StringComparison.OrdinalIgnoreCase))
        {
            return ImageFormat.Png;
        }

        return type.Equals("image/webp", StringComparison.OrdinalIgnoreCase) ? ImageFormat.WebP : ImageFormat.Unknown;
    }
}
