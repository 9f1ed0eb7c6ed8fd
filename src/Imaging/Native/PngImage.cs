using System.Runtime.InteropServices;

namespace Atelier.Imaging.Native;

/// <summary>
/// <c>png_image</c> from png.h, field for field (x64: 8 + 7×4 + 64 = 100 bytes, padded to 104).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct PngImage
{
    internal const int MessageLength = 64;

    /// <summary><c>png_controlp opaque</c>: NULL before begin_read, freed by png_image_free.</summary>
    public nint Opaque;

    /// <summary><c>png_uint_32 version</c>: PNG_IMAGE_VERSION.</summary>
    public uint Version;

    /// <summary><c>png_uint_32 width</c></summary>
    public uint Width;

    /// <summary><c>png_uint_32 height</c></summary>
    public uint Height;

    /// <summary><c>png_uint_32 format</c> (PNG_FORMAT_*)</summary>
    public uint Format;

    /// <summary><c>png_uint_32 flags</c> (PNG_IMAGE_FLAG_*)</summary>
    public uint Flags;

    /// <summary><c>png_uint_32 colormap_entries</c></summary>
    public uint ColormapEntries;

    /// <summary><c>png_uint_32 warning_or_error</c>: low two bits 1 = warning, 2 = error, 3 = error after warning.</summary>
    public uint WarningOrError;

    /// <summary><c>char message[64]</c></summary>
    public fixed byte Message[MessageLength];

    public readonly bool Failed => (WarningOrError & 3) > 1;
}
