using System.Runtime.InteropServices;

namespace Atelier.Imaging.Native;

/// <summary>
/// libwebp's simple decode API (<c>libwebp.so.7</c>; Debian 12: 1.2.4, decoder ABI 0x0209) and the
/// simple encode API (used by tests to build fixtures). Decoding writes into our own buffers, so no
/// native memory outlives a call; encoded output is released with <c>WebPFree</c>.
/// </summary>
internal static unsafe partial class LibWebPNative
{
    private const string Library = "libwebp.so.7";

    /// <summary>WEBP_DECODER_ABI_VERSION of libwebp 1.2.x; only the major byte (0x02) must match.</summary>
    internal const int DecoderAbiVersion = 0x0209;

    internal const int StatusOk = 0; // VP8_STATUS_OK
    internal const int StatusUnsupportedFeature = 4; // VP8_STATUS_UNSUPPORTED_FEATURE
    internal const int StatusNotEnoughData = 7; // VP8_STATUS_NOT_ENOUGH_DATA

    /// <summary><c>VP8StatusCode WebPGetFeaturesInternal(const uint8_t *data, size_t data_size, WebPBitstreamFeatures *features, int version)</c></summary>
    [LibraryImport(Library, EntryPoint = "WebPGetFeaturesInternal")]
    internal static partial int GetFeaturesInternal(byte* data, nuint dataSize, WebPBitstreamFeatures* features, int version);

    /// <summary><c>uint8_t *WebPDecodeRGBInto(const uint8_t *data, size_t data_size, uint8_t *output_buffer, size_t output_buffer_size, int output_stride)</c>: NULL on failure.</summary>
    [LibraryImport(Library, EntryPoint = "WebPDecodeRGBInto")]
    internal static partial byte* DecodeRgbInto(byte* data, nuint dataSize, byte* output, nuint outputSize, int outputStride);

    /// <summary><c>uint8_t *WebPDecodeRGBAInto(const uint8_t *data, size_t data_size, uint8_t *output_buffer, size_t output_buffer_size, int output_stride)</c>: NULL on failure.</summary>
    [LibraryImport(Library, EntryPoint = "WebPDecodeRGBAInto")]
    internal static partial byte* DecodeRgbaInto(byte* data, nuint dataSize, byte* output, nuint outputSize, int outputStride);

    /// <summary><c>size_t WebPEncodeRGB(const uint8_t *rgb, int width, int height, int stride, float quality_factor, uint8_t **output)</c></summary>
    [LibraryImport(Library, EntryPoint = "WebPEncodeRGB")]
    internal static partial nuint EncodeRgb(byte* rgb, int width, int height, int stride, float quality, byte** output);

    /// <summary><c>size_t WebPEncodeRGBA(const uint8_t *rgba, int width, int height, int stride, float quality_factor, uint8_t **output)</c></summary>
    [LibraryImport(Library, EntryPoint = "WebPEncodeRGBA")]
    internal static partial nuint EncodeRgba(byte* rgba, int width, int height, int stride, float quality, byte** output);

    /// <summary><c>size_t WebPEncodeLosslessRGB(const uint8_t *rgb, int width, int height, int stride, uint8_t **output)</c></summary>
    [LibraryImport(Library, EntryPoint = "WebPEncodeLosslessRGB")]
    internal static partial nuint EncodeLosslessRgb(byte* rgb, int width, int height, int stride, byte** output);

    /// <summary><c>size_t WebPEncodeLosslessRGBA(const uint8_t *rgba, int width, int height, int stride, uint8_t **output)</c></summary>
    [LibraryImport(Library, EntryPoint = "WebPEncodeLosslessRGBA")]
    internal static partial nuint EncodeLosslessRgba(byte* rgba, int width, int height, int stride, byte** output);

    /// <summary><c>void WebPFree(void *ptr)</c></summary>
    [LibraryImport(Library, EntryPoint = "WebPFree")]
    internal static partial void Free(byte* pointer /* void* */);
}
