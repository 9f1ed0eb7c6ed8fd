using System.Buffers.Binary;
using SkiaSharp;

namespace Atelier.Imaging;

/// <summary>
/// Decoding on SkiaSharp's <see cref="SKCodec"/> (libjpeg-turbo, libpng and libwebp inside Skia's own native
/// library). <see cref="SKCodec.Create(SKData)"/> reads only the header, so the limits are
/// checked from <see cref="SKCodec.Info"/> before a pixel buffer exists; the pixels are then decoded as unpremultiplied
/// RGBA8888 without colour management (embedded ICC profiles are ignored, as PIL does by default) straight into a
/// pooled buffer, and <see cref="RgbaUnpack"/> splits them into RGB and alpha while applying the EXIF orientation
/// Skia reports (<see cref="SKCodec.EncodedOrigin"/>). Skia hands back partial pixels with
/// <see cref="SKCodecResult.IncompleteInput"/> for truncated data; every result other than
/// <see cref="SKCodecResult.Success"/> is <see cref="ImageErrorCode.ImageCorrupt"/>, never a half image.
/// </summary>
internal static unsafe class SkiaDecoder
{
    /// <summary>Decodes <paramref name="data"/>, whose magic bytes named <paramref name="format"/>.</summary>
    public static RgbImage Decode(ReadOnlySpan<byte> data, ImageFormat format, ImageDecodeOptions options)
    {
        if (format == ImageFormat.Png)
        {
            CheckPngHeader(data, options);
        }
        else if (format == ImageFormat.Jpeg)
        {
            JpegStructure.Check(data, options.MaxJpegScans);
        }

        var name = Name(format);
        fixed (byte* encoded = data)
        {
            // SKData.Create(IntPtr, int) wraps the pinned upload without copying; it is disposed before the pin ends.
            // The SKStream overload of SKCodec.Create would only add a result code for a header that fails, which is
            // image_corrupt either way.
            using var skData = SKData.Create((IntPtr)encoded, data.Length);
            using var codec = SKCodec.Create(skData);
            if (codec is null)
            {
                ImageFormatException.ThrowCorrupt($"Invalid {name} header: the data is truncated or malformed.");
            }

            if (codec.EncodedFormat != Expected(format))
            {
                ImageFormatException.ThrowCorrupt($"The data starts like {name} but decodes as {codec.EncodedFormat}.");
            }

            var info = codec.Info;
            DecodeLimits.Check(info.Width, info.Height, options);
            return DecodePixels(codec, info, name, options);
        }
    }

    private static RgbImage DecodePixels(SKCodec codec, SKImageInfo info, string name, ImageDecodeOptions options)
    {
        int width = info.Width, height = info.Height;
        var hasAlpha = info.AlphaType != SKAlphaType.Opaque;
        var target = new SKImageInfo(width, height, SKColorType.Rgba8888, hasAlpha ? SKAlphaType.Unpremul : SKAlphaType.Opaque);
        var size = checked(width * height * 4);
        var rgba = ImageBufferPool.Bytes.Rent(size);
        RgbImage? image = null;
        try
        {
            SKCodecResult result;
            fixed (byte* pixels = rgba)
            {
                // Frame 0: the image itself, or the first frame of an animated WebP.
                result = codec.GetPixels(target, (IntPtr)pixels, width * 4, new SKCodecOptions(0));
            }

            if (result != SKCodecResult.Success)
            {
                ImageFormatException.ThrowCorrupt(result == SKCodecResult.IncompleteInput
                    ? $"Corrupt or truncated {name} data: the image data ends early."
                    : $"Corrupt {name} data ({result}).");
            }

            var orientation = options.ApplyExifOrientation ? (int)codec.EncodedOrigin : 1;
            var swap = RgbaUnpack.SwapsAxes(orientation);
            image = new RgbImage(swap ? height : width, swap ? width : height);
            if (hasAlpha && options.KeepAlpha)
            {
                image.Alpha = new Mask(image.Width, image.Height, clear: false);
            }

            RgbaUnpack.Unpack(rgba.AsSpan(0, size), width, height, orientation, image.Pixels, image.Alpha is { } a ? a.Data : default);
            var decoded = image;
            image = null;
            return decoded;
        }
        finally
        {
            image?.Dispose();
            ImageBufferPool.Bytes.Return(rgba);
        }
    }

    /// <summary>
    /// Reads the PNG IHDR's width and height by hand so that sides over libpng's own user limit (1,000,000, which
    /// libpng reports as a generic error) still come out as <see cref="ImageErrorCode.ImageTooLarge"/>.
    /// </summary>
    private static void CheckPngHeader(ReadOnlySpan<byte> data, ImageDecodeOptions options)
    {
        if (data.Length >= 24 && data.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            long width = BinaryPrimitives.ReadUInt32BigEndian(data[16..]);
            long height = BinaryPrimitives.ReadUInt32BigEndian(data[20..]);
            if (width > 0 && height > 0)
            {
                DecodeLimits.Check(width, height, options);
            }
        }
    }

    private static string Name(ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => "JPEG",
        ImageFormat.Png => "PNG",
        _ => "WebP",
    };

    private static SKEncodedImageFormat Expected(ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => SKEncodedImageFormat.Jpeg,
        ImageFormat.Png => SKEncodedImageFormat.Png,
        _ => SKEncodedImageFormat.Webp,
    };
}
