using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Atelier.Imaging;
using Atelier.Imaging.Tests;
using SkiaSharp;

namespace Atelier.Silo.Tests.Http;

/// <summary>
/// Every accepted upload variant opens a session through the real HTTP pipeline and decoder (SkiaSharp): progressive,
/// grayscale and CMYK JPEG, 16-bit interlaced and palette+tRNS PNG, lossy/lossless/alpha WebP and the first frame of an
/// animated WebP. GIF and BMP, which Skia could decode, stay 415.
/// </summary>
public sealed class UploadFormatTests(SessionFixture fixture) : IClassFixture<SessionFixture>
{
    private const int W = 48;
    private const int H = 32;

    public static TheoryData<string> Accepted() =>
        ["jpeg-progressive", "jpeg-gray", "jpeg-cmyk", "png-16bit-interlaced", "png-palette-trns", "webp-lossy", "webp-lossless-alpha", "webp-animated"];

    [Theory]
    [MemberData(nameof(Accepted))]
    public async Task Upload_opens_a_session_of_the_image_size(string variant)
    {
        var (bytes, contentType) = Build(variant);
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);

        using var response = await fixture.Client.PostAsync(new Uri("/v1/sessions", UriKind.Relative), content);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{variant}: {(int)response.StatusCode} {body}");
        using var document = JsonDocument.Parse(body);
        Assert.Equal((W, H), (document.RootElement.GetProperty("width").GetInt32(), document.RootElement.GetProperty("height").GetInt32()));
    }

    [Theory]
    [InlineData("gif", "image/gif")]
    [InlineData("bmp", "image/bmp")]
    [InlineData("bmp", "application/octet-stream")]
    public async Task Gif_and_bmp_uploads_are_415_unsupported_media_type(string format, string contentType)
    {
        byte[] bytes = format == "gif"
            ? "GIF89a\x01\0\x01\0\0\0\0;"u8.ToArray()
            : [.. "BM"u8, 58, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 24, 0, 0, 0, 0, 0, 4, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 0];
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);

        using var response = await fixture.Client.PostAsync(new Uri("/v1/sessions", UriKind.Relative), content);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    private static (byte[] Bytes, string ContentType) Build(string variant)
    {
        byte Smooth(int x, int y, int c) => (byte)Math.Min(255, 10 + (3 * x) + (2 * y) + (40 * c));
        byte[] Interleave(int channels, Func<int, int, int, byte> pixel)
        {
            var data = new byte[W * H * channels];
            for (var i = 0; i < W * H; i++)
            {
                for (var c = 0; c < channels; c++)
                {
                    data[(i * channels) + c] = pixel(i % W, i / W, c);
                }
            }

            return data;
        }

        return variant switch
        {
            "jpeg-progressive" => (JpegBuilder.Build(Interleave(3, Smooth), W, H, JpegBuilder.Layout.YCbCr420, progressive: true), "image/jpeg"),
            "jpeg-gray" => (JpegBuilder.Build(Interleave(1, Smooth), W, H, JpegBuilder.Layout.Gray), "image/jpeg"),
            "jpeg-cmyk" => (JpegBuilder.Build(Interleave(4, Smooth), W, H, JpegBuilder.Layout.Cmyk), "image/jpeg"),
            "png-16bit-interlaced" => (PngBuilder.Build(W, H, 16, PngBuilder.Rgba, (x, y, c) => Smooth(x, y, c) * 257, interlaced: true), "image/png"),
            "png-palette-trns" => (PngBuilder.Build(W, H, 8, PngBuilder.Palette, (x, y, _) => (x + y) % 4,
                palette: [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255], transparency: [0, 128]), "image/png"),
            "webp-lossy" => (Webp(alpha: false, lossless: false), "image/webp"),
            "webp-lossless-alpha" => (Webp(alpha: true, lossless: true), "image/webp"),
            _ => (AnimatedWebp(), "image/webp"),
        };
    }

    private static byte[] Webp(bool alpha, bool lossless)
    {
        if (alpha)
        {
            return WebPWithAlpha(lossless);
        }

        using var image = TestImages.Disk(W, H, W / 2, H / 2, 10);
        return WebPEncoder.Encode(image, lossless);
    }

    private static byte[] WebPWithAlpha(bool lossless)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(W, H, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.Erase(new SKColor(200, 100, 50, 128));
        using var pixmap = bitmap.PeekPixels();
        using var data = pixmap.Encode(new SKWebpEncoderOptions(lossless ? SKWebpEncoderCompression.Lossless : SKWebpEncoderCompression.Lossy, 90))!;
        return data.ToArray();
    }

    private static byte[] AnimatedWebp()
    {
        using var red = new SKBitmap(new SKImageInfo(W, H, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using var blue = new SKBitmap(new SKImageInfo(W, H, SKColorType.Rgba8888, SKAlphaType.Opaque));
        red.Erase(SKColors.Red);
        blue.Erase(SKColors.Blue);
        using var data = SKWebpEncoder.EncodeAnimated(
            [new SKWebpEncoderFrame(red, TimeSpan.FromMilliseconds(100)), new SKWebpEncoderFrame(blue, TimeSpan.FromMilliseconds(100))],
            new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossless, 75))!;
        return data.ToArray();
    }
}
