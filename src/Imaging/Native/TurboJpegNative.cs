using System.Runtime.InteropServices;

namespace Atelier.Imaging.Native;

/// <summary>
/// The TurboJPEG 2.x API of libjpeg-turbo (<c>libturbojpeg.so.0</c>; Debian 12 ships 2.1.5, which
/// predates the TJ3 API). Every handle lives in a <see cref="TurboJpegHandle"/>; buffers returned by
/// <c>tjCompress2</c> are released with <c>tjFree</c>. C types are given beside each parameter.
/// </summary>
internal static unsafe partial class TurboJpegNative
{
    private const string Library = "libturbojpeg.so.0";

    // enum TJPF
    internal const int PixelFormatRgb = 0;
    internal const int PixelFormatGray = 6;
    internal const int PixelFormatRgba = 7;
    internal const int PixelFormatCmyk = 11;

    // enum TJSAMP
    internal const int Subsampling444 = 0;
    internal const int Subsampling422 = 1;
    internal const int Subsampling420 = 2;
    internal const int SubsamplingGray = 3;

    // enum TJCS (jpegColorspace reported by tjDecompressHeader3)
    internal const int ColorspaceRgb = 0;
    internal const int ColorspaceYCbCr = 1;
    internal const int ColorspaceGray = 2;
    internal const int ColorspaceCmyk = 3;
    internal const int ColorspaceYcck = 4;

    // TJFLAG_*
    internal const int FlagAccurateDct = 4096;
    internal const int FlagStopOnWarning = 8192;
    internal const int FlagProgressive = 16384;
    internal const int FlagLimitScans = 32768; // TJFLAG_LIMITSCANS (2.1+): more than 500 progressive scans is an error

    // enum TJERR
    internal const int ErrorWarning = 0;

    /// <summary><c>tjhandle tjInitDecompress(void)</c></summary>
    [LibraryImport(Library, EntryPoint = "tjInitDecompress")]
    internal static partial TurboJpegHandle InitDecompress();

    /// <summary><c>tjhandle tjInitCompress(void)</c></summary>
    [LibraryImport(Library, EntryPoint = "tjInitCompress")]
    internal static partial TurboJpegHandle InitCompress();

    /// <summary><c>int tjDestroy(tjhandle handle)</c></summary>
    [LibraryImport(Library, EntryPoint = "tjDestroy")]
    internal static partial int Destroy(nint handle /* tjhandle */);

    /// <summary><c>int tjDecompressHeader3(tjhandle, const unsigned char *jpegBuf, unsigned long jpegSize, int *width, int *height, int *jpegSubsamp, int *jpegColorspace)</c></summary>
    [LibraryImport(Library, EntryPoint = "tjDecompressHeader3")]
    internal static partial int DecompressHeader3(
        TurboJpegHandle handle,
        byte* jpegBuf, // const unsigned char*
        nuint jpegSize, // unsigned long
        out int width,
        out int height,
        out int jpegSubsamp,
        out int jpegColorspace);

    /// <summary><c>int tjDecompress2(tjhandle, const unsigned char *jpegBuf, unsigned long jpegSize, unsigned char *dstBuf, int width, int pitch, int height, int pixelFormat, int flags)</c></summary>
    [LibraryImport(Library, EntryPoint = "tjDecompress2")]
    internal static partial int Decompress2(
        TurboJpegHandle handle,
        byte* jpegBuf, // const unsigned char*
        nuint jpegSize, // unsigned long
        byte* dstBuf, // unsigned char*
        int width,
        int pitch,
        int height,
        int pixelFormat,
        int flags);

    /// <summary><c>int tjCompress2(tjhandle, const unsigned char *srcBuf, int width, int pitch, int height, int pixelFormat, unsigned char **jpegBuf, unsigned long *jpegSize, int jpegSubsamp, int jpegQual, int flags)</c></summary>
    [LibraryImport(Library, EntryPoint = "tjCompress2")]
    internal static partial int Compress2(
        TurboJpegHandle handle,
        byte* srcBuf, // const unsigned char*
        int width,
        int pitch,
        int height,
        int pixelFormat,
        byte** jpegBuf, // unsigned char** (allocated by TurboJPEG, freed with tjFree)
        nuint* jpegSize, // unsigned long*
        int jpegSubsamp,
        int jpegQual,
        int flags);

    /// <summary><c>void tjFree(unsigned char *buffer)</c></summary>
    [LibraryImport(Library, EntryPoint = "tjFree")]
    internal static partial void Free(byte* buffer /* unsigned char* */);

    /// <summary><c>char *tjGetErrorStr2(tjhandle handle)</c> (a static or per-handle string; not freed)</summary>
    [LibraryImport(Library, EntryPoint = "tjGetErrorStr2")]
    internal static partial nint GetErrorStr2(TurboJpegHandle handle);

    /// <summary><c>int tjGetErrorCode(tjhandle handle)</c>: 0 = warning, 1 = fatal.</summary>
    [LibraryImport(Library, EntryPoint = "tjGetErrorCode")]
    internal static partial int GetErrorCode(TurboJpegHandle handle);

    internal static string ErrorMessage(TurboJpegHandle handle) =>
        Marshal.PtrToStringUTF8(GetErrorStr2(handle)) ?? "unknown TurboJPEG error";
}
