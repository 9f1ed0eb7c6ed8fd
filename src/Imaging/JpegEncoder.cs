using Atelier.Imaging.Native;

namespace Atelier.Imaging;

/// <summary>JPEG encoding through TurboJPEG.</summary>
public static unsafe class JpegEncoder
{
    /// <summary>Encodes an RGB image. <paramref name="quality"/> is 1..100 (default 90); 4:2:0 chroma subsampling below 90, 4:4:4 from 90 up.</summary>
    public static byte[] Encode(RgbImage image, int quality = 90)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        var subsampling = quality >= 90 ? TurboJpegNative.Subsampling444 : TurboJpegNative.Subsampling420;
        return Compress(image.Pixels, image.Width, image.Height, TurboJpegNative.PixelFormatRgb, subsampling, quality, TurboJpegNative.FlagAccurateDct);
    }

    /// <summary>The one call into <c>tjCompress2</c>; the TurboJPEG-owned output buffer is copied and released with <c>tjFree</c>.</summary>
    internal static byte[] Compress(ReadOnlySpan<byte> pixels, int width, int height, int pixelFormat, int subsampling, int quality, int flags)
    {
        using var handle = TurboJpegNative.InitCompress();
        if (handle.IsInvalid)
        {
            throw new InvalidOperationException("tjInitCompress failed.");
        }

        var bytesPerPixel = pixelFormat switch
        {
            TurboJpegNative.PixelFormatGray => 1,
            TurboJpegNative.PixelFormatRgb => 3,
            _ => 4,
        };
        byte* jpeg = null;
        nuint size = 0;
        try
        {
            fixed (byte* src = pixels)
            {
                if (TurboJpegNative.Compress2(handle, src, width, width * bytesPerPixel, height, pixelFormat, &jpeg, &size, subsampling, quality, flags) != 0)
                {
                    throw new InvalidOperationException($"tjCompress2 failed: {TurboJpegNative.ErrorMessage(handle)}");
                }
            }

            return new ReadOnlySpan<byte>(jpeg, checked((int)size)).ToArray();
        }
        finally
        {
            if (jpeg is not null)
            {
                TurboJpegNative.Free(jpeg);
            }
        }
    }
}
