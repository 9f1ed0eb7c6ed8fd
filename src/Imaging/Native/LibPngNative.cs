using System.Runtime.InteropServices;

namespace Atelier.Imaging.Native;

/// <summary>
/// libpng 1.6's simplified API (<c>libpng16.so.16</c>). It catches libpng's own longjmp-based errors
/// internally (<c>png_safe_execute</c>) and reports them through <see cref="PngImage.WarningOrError"/>
/// and <see cref="PngImage.Message"/>, so no error ever unwinds through managed frames.
/// </summary>
internal static unsafe partial class LibPngNative
{
    private const string Library = "libpng16.so.16";

    internal const uint ImageVersion = 1; // PNG_IMAGE_VERSION

    internal const uint FormatFlagAlpha = 0x01; // PNG_FORMAT_FLAG_ALPHA
    internal const uint FormatFlagColor = 0x02; // PNG_FORMAT_FLAG_COLOR
    internal const uint FormatFlagLinear = 0x04; // PNG_FORMAT_FLAG_LINEAR (16-bit samples)
    internal const uint FormatGray = 0; // PNG_FORMAT_GRAY
    internal const uint FormatRgb = FormatFlagColor; // PNG_FORMAT_RGB
    internal const uint FormatRgba = FormatFlagColor | FormatFlagAlpha; // PNG_FORMAT_RGBA

    internal const uint ImageFlag16BitSrgb = 0x04; // PNG_IMAGE_FLAG_16BIT_sRGB

    /// <summary><c>int png_image_begin_read_from_memory(png_imagep image, png_const_voidp memory, size_t size)</c></summary>
    [LibraryImport(Library, EntryPoint = "png_image_begin_read_from_memory")]
    internal static partial int BeginReadFromMemory(PngImage* image, byte* memory /* png_const_voidp */, nuint size /* size_t */);

    /// <summary><c>int png_image_finish_read(png_imagep image, png_const_colorp background, void *buffer, png_int_32 row_stride, void *colormap)</c></summary>
    [LibraryImport(Library, EntryPoint = "png_image_finish_read")]
    internal static partial int FinishRead(PngImage* image, void* background /* png_const_colorp */, byte* buffer /* void* */, int rowStride /* png_int_32 */, void* colormap /* void* */);

    /// <summary><c>void png_image_free(png_imagep image)</c> (safe to call twice; clears <c>opaque</c>)</summary>
    [LibraryImport(Library, EntryPoint = "png_image_free")]
    internal static partial void Free(PngImage* image);

    /// <summary><c>int png_image_write_to_memory(png_imagep image, void *memory, png_alloc_size_t *memory_bytes, int convert_to_8_bit, const void *buffer, png_int_32 row_stride, const void *colormap)</c></summary>
    [LibraryImport(Library, EntryPoint = "png_image_write_to_memory")]
    internal static partial int WriteToMemory(PngImage* image, byte* memory /* void* */, nuint* memoryBytes /* png_alloc_size_t* */, int convertTo8Bit, byte* buffer /* const void* */, int rowStride /* png_int_32 */, void* colormap /* const void* */);

    internal static string MessageOf(PngImage* image)
    {
        var text = new ReadOnlySpan<byte>(image->Message, PngImage.MessageLength);
        var end = text.IndexOf((byte)0);
        return System.Text.Encoding.ASCII.GetString(end < 0 ? text : text[..end]);
    }
}
