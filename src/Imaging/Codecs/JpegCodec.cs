using System.Buffers;
using Atelier.Imaging.Native;

namespace Atelier.Imaging.Codecs;

/// <summary>JPEG decoding through TurboJPEG: header first (limits), then the pixels, then EXIF orientation.</summary>
internal static unsafe class JpegCodec
{
    public static RgbImage Decode(ReadOnlySpan<byte> data, ImageDecodeOptions options)
    {
        using var handle = TurboJpegNative.InitDecompress();
        if (handle.IsInvalid)
        {
            throw new InvalidOperationException("tjInitDecompress failed.");
        }

        RgbImage? image = null;
        try
        {
            fixed (byte* jpeg = data)
            {
                if (TurboJpegNative.DecompressHeader3(handle, jpeg, (nuint)data.Length, out var width, out var height, out _, out var colorspace) != 0)
                {
                    ImageFormatException.ThrowCorrupt($"Invalid JPEG header: {TurboJpegNative.ErrorMessage(handle)}");
                }

                DecodeLimits.Check(width, height, options);
                image = new RgbImage(width, height);

                // Warnings (premature end of data, corrupt entropy data) stop the decode: a truncated
                // upload is reported as corrupt instead of coming back half grey. LIMITSCANS bounds the
                // work a hostile progressive file (thousands of tiny scans) can demand.
                const int flags = TurboJpegNative.FlagStopOnWarning | TurboJpegNative.FlagLimitScans;
                if (colorspace is TurboJpegNative.ColorspaceCmyk or TurboJpegNative.ColorspaceYcck)
                {
                    var cmyk = ArrayPool<byte>.Shared.Rent(width * height * 4);
                    try
                    {
                        fixed (byte* dst = cmyk)
                        {
                            Check(handle, TurboJpegNative.Decompress2(handle, jpeg, (nuint)data.Length, dst, width, width * 4, height, TurboJpegNative.PixelFormatCmyk, flags));
                        }

                        PixelConvert.CmykToRgb(cmyk.AsSpan(0, width * height * 4), image.Pixels);
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(cmyk);
                    }
                }
                else
                {
                    fixed (byte* dst = image.Pixels)
                    {
                        Check(handle, TurboJpegNative.Decompress2(handle, jpeg, (nuint)data.Length, dst, width, width * 3, height, TurboJpegNative.PixelFormatRgb, flags));
                    }
                }
            }

            if (options.ApplyExifOrientation)
            {
                var orientation = ExifOrientation.Read(data);
                if (orientation != 1)
                {
                    var upright = ExifOrientation.Apply(image, orientation);
                    image.Dispose();
                    image = upright;
                }
            }

            var result = image;
            image = null;
            return result;
        }
        finally
        {
            image?.Dispose();
        }
    }

    private static void Check(TurboJpegHandle handle, int result)
    {
        if (result != 0)
        {
            ImageFormatException.ThrowCorrupt($"Corrupt JPEG data: {TurboJpegNative.ErrorMessage(handle)}");
        }
    }
}
