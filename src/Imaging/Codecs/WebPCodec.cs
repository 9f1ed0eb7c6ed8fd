using System.Buffers;
using Atelier.Imaging.Native;

namespace Atelier.Imaging.Codecs;

/// <summary>WebP decoding through libwebp's simple API: features (size, alpha, animation) first, then decode into our buffer.</summary>
internal static unsafe class WebPCodec
{
    public static RgbImage Decode(ReadOnlySpan<byte> data, ImageDecodeOptions options)
    {
        RgbImage? image = null;
        byte[]? rgba = null;
        try
        {
            fixed (byte* webp = data)
            {
                WebPBitstreamFeatures features;
                var status = LibWebPNative.GetFeaturesInternal(webp, (nuint)data.Length, &features, LibWebPNative.DecoderAbiVersion);
                if (status == LibWebPNative.StatusUnsupportedFeature)
                {
                    ImageFormatException.ThrowUnsupported("The WebP file uses a feature libwebp does not support.");
                }

                if (status != LibWebPNative.StatusOk)
                {
                    ImageFormatException.ThrowCorrupt($"Invalid WebP header (VP8 status {status}).");
                }

                if (features.HasAnimation != 0)
                {
                    ImageFormatException.ThrowUnsupported("Animated WebP is not supported.");
                }

                DecodeLimits.Check(features.Width, features.Height, options);
                int width = features.Width, height = features.Height;
                image = new RgbImage(width, height);
                if (features.HasAlpha != 0)
                {
                    var size = width * height * 4;
                    rgba = ArrayPool<byte>.Shared.Rent(size);
                    fixed (byte* dst = rgba)
                    {
                        if (LibWebPNative.DecodeRgbaInto(webp, (nuint)data.Length, dst, (nuint)size, width * 4) is null)
                        {
                            ImageFormatException.ThrowCorrupt("Corrupt or truncated WebP data.");
                        }
                    }

                    if (options.KeepAlpha)
                    {
                        image.Alpha = new Mask(width, height, clear: false);
                    }

                    PixelConvert.SplitRgba(rgba.AsSpan(0, size), image.Pixels, image.Alpha is { } a ? a.Data : default, options.KeepAlpha);
                }
                else
                {
                    var pixels = image.Pixels;
                    fixed (byte* dst = pixels)
                    {
                        if (LibWebPNative.DecodeRgbInto(webp, (nuint)data.Length, dst, (nuint)pixels.Length, width * 3) is null)
                        {
                            ImageFormatException.ThrowCorrupt("Corrupt or truncated WebP data.");
                        }
                    }
                }
            }

            var result = image;
            image = null;
            return result;
        }
        finally
        {
            image?.Dispose();
            if (rgba is not null)
            {
                ArrayPool<byte>.Shared.Return(rgba);
            }
        }
    }
}
