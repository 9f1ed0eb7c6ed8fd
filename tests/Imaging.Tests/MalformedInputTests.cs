using System.Buffers.Binary;

namespace Atelier.Imaging.Tests;

/// <summary>Every hostile or broken upload ends in an <see cref="ImageFormatException"/> with the right code.</summary>
public sealed class MalformedInputTests
{
    private static byte[] ValidJpeg() =>
        Fixtures.Jpeg(Fixtures.Interleave(64, 48, 3, Fixtures.Smooth), 64, 48, JpegBuilder.Layout.YCbCr420);

    private static byte[] ValidPng(int width = 64, int height = 48) =>
        PngBuilder.Build(width, height, 8, PngBuilder.Rgb, (x, y, c) => (x + y + c) & 0xFF);

    private static byte[] ValidWebP(bool lossless) =>
        Fixtures.WebP(Fixtures.Interleave(64, 48, 3, Fixtures.Smooth), 64, 48, alpha: false, lossless);

    private static string CodeOf(byte[] data, string? contentType = null, ImageDecodeOptions? options = null)
    {
        var error = Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(data, contentType, options).Dispose());
        return error.Code;
    }

    private static byte[] PngWithHeader(int width, int height)
    {
        var png = ValidPng(4, 4);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), height);
        FixCrc(png, 8);
        return png;
    }

    /// <summary>Recomputes the CRC of the chunk starting at <paramref name="offset"/> (its length field).</summary>
    private static void FixCrc(byte[] png, int offset)
    {
        var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
        var crc = PngBuilder.Crc32(png.AsSpan(offset + 4, 4), png.AsSpan(offset + 8, length));
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(offset + 8 + length), crc);
    }

    private static byte[] JpegWithSize(int width, int height)
    {
        var jpeg = ValidJpeg();
        var sof = jpeg.AsSpan().IndexOf(new byte[] { 0xFF, 0xC0 });
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 5), (ushort)height);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 7), (ushort)width);
        return jpeg;
    }

    [Fact]
    public void Decode_empty_body_reports_image_corrupt() =>
        Assert.Equal(ImageErrorCode.ImageCorrupt, CodeOf([]));

    [Fact]
    public void Decode_unknown_magic_reports_unsupported_media_type() =>
        Assert.Equal(ImageErrorCode.UnsupportedMediaType, CodeOf("hello, this is not an image at all"u8.ToArray()));

    [Fact]
    public void Decode_gif_reports_unsupported_media_type() =>
        Assert.Equal(ImageErrorCode.UnsupportedMediaType, CodeOf("GIF89a\x01\0\x01\0\0\0\0;"u8.ToArray(), "image/gif"));

    [Fact]
    public void Decode_jpeg_declared_as_png_reports_unsupported_media_type() =>
        Assert.Equal(ImageErrorCode.UnsupportedMediaType, CodeOf(ValidJpeg(), "image/png"));

    [Fact]
    public void Decode_png_declared_as_an_unsupported_type_reports_unsupported_media_type() =>
        Assert.Equal(ImageErrorCode.UnsupportedMediaType, CodeOf(ValidPng(), "image/gif"));

    [Fact]
    public void Decode_with_octet_stream_or_parameters_in_content_type_sniffs_the_content()
    {
        using var a = ImageDecoder.Decode(ValidPng(), "application/octet-stream");
        using var b = ImageDecoder.Decode(ValidJpeg(), "IMAGE/JPEG; q=0.9");
        Assert.Equal(64, a.Width);
        Assert.Equal(64, b.Width);
    }

    [Fact]
    public void Decode_truncated_jpeg_reports_image_corrupt()
    {
        var jpeg = ValidJpeg();
        Assert.Equal(ImageErrorCode.ImageCorrupt, CodeOf(jpeg[..(jpeg.Length * 2 / 3)]));
    }

    [Fact]
    public void Decode_jpeg_cut_inside_its_header_reports_image_corrupt() =>
        Assert.Equal(ImageErrorCode.ImageCorrupt, CodeOf(ValidJpeg()[..40]));

    [Fact]
    public void Decode_jpeg_with_valid_header_and_garbage_body_reports_image_corrupt()
    {
        var jpeg = ValidJpeg();
        var sos = jpeg.AsSpan().IndexOf(new byte[] { 0xFF, 0xDA });
        var scanStart = sos + 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(sos + 2));
        new Random(7).NextBytes(jpeg.AsSpan(scanStart));
        Assert.Equal(ImageErrorCode.ImageCorrupt, CodeOf(jpeg));
    }

    [Fact]
    public void Decode_jpeg_with_huge_declared_dimensions_reports_image_too_large() =>
        Assert.Equal(ImageErrorCode.ImageTooLarge, CodeOf(JpegWithSize(60000, 60000)));

    [Fact]
    public void Decode_jpeg_with_zero_height_reports_image_corrupt() =>
        Assert.Equal(ImageErrorCode.ImageCorrupt, CodeOf(JpegWithSize(64, 0)));

    [Fact]
    public void Decode_truncated_png_reports_image_corrupt()
    {
        var png = ValidPng();
        Assert.Equal(ImageErrorCode.ImageCorrupt, CodeOf(png[..(png.Length - 30)]));
    }

    [Fact]
    public void Decode_png_signature_alone_reports_image_corrupt() =>
        Assert.Equal(ImageErrorCode.ImageCorrupt, CodeOf(ValidPng()[..8]));

    [Fact]
    public void Decode_png_with_bad_idat_crc_reports_image_corrupt()
    {
        var png = ValidPng();
        var idat = png.AsSpan().IndexOf("IDAT"u8);
        var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(idat - 4));
        png[idat + 4 + length] ^= 0x5A;
        Assert.Equal(ImageErrorCode.ImageCorrupt, CodeOf(png));
    }

    [Fact]
    public void Decode_png_with_bad_ihdr_crc_reports_image_corrupt()
    {
        var png = ValidPng();
        png[29] ^= 0x01; // first CRC byte of IHDR (8 signature + 8 header + 13 data)
        Assert.Equal(ImageErrorCode.ImageCorrupt, CodeOf(png));
    }

    [Fact]
    public void Decode_png_with_garbage_compressed_data_reports_image_corrupt()
    {
        var png = ValidPng();
        var idat = png.AsSpan().IndexOf("IDAT"u8);
        var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(idat - 4));
        new Random(3).NextBytes(png.AsSpan(idat + 4, length));
        FixCrc(png, idat - 4);
        Assert.Equal(ImageErrorCode.ImageCorrupt, CodeOf(png));
    }

    [Fact]
    public void Decode_tiny_png_declaring_60000_by_60000_reports_image_too_large()
    {
        var png = PngWithHeader(60000, 60000);
        Assert.True(png.Length < 200);
        Assert.Equal(ImageErrorCode.ImageTooLarge, CodeOf(png));
    }

    [Fact]
    public void Decode_png_beyond_libpng_own_width_limit_reports_image_too_large() =>
        Assert.Equal(ImageErrorCode.ImageTooLarge, CodeOf(PngWithHeader(2_000_000, 1)));

    [Fact]
    public void Decode_png_with_a_side_over_the_limit_reports_image_too_large() =>
        Assert.Equal(ImageErrorCode.ImageTooLarge, CodeOf(PngWithHeader(20000, 10)));

    [Fact]
    public void Decode_png_over_the_pixel_limit_reports_image_too_large() =>
        Assert.Equal(ImageErrorCode.ImageTooLarge, CodeOf(PngWithHeader(7000, 7000))); // 49 MP, sides within 16384

    [Fact]
    public void Decode_png_with_zero_width_reports_image_corrupt() =>
        Assert.Equal(ImageErrorCode.ImageCorrupt, CodeOf(PngWithHeader(0, 10)));

    [Fact]
    public void Decode_upload_over_the_byte_limit_reports_image_too_large() =>
        Assert.Equal(ImageErrorCode.ImageTooLarge, CodeOf(ValidPng(), options: new ImageDecodeOptions { MaxEncodedBytes = 100 }));

    [Fact]
    public void Decode_limits_come_from_options()
    {
        var small = new ImageDecodeOptions { MaxSide = 32 };
        Assert.Equal(ImageErrorCode.ImageTooLarge, CodeOf(ValidJpeg(), options: small));
        Assert.Equal(ImageErrorCode.ImageTooLarge, CodeOf(ValidWebP(lossless: true), options: small));
    }

    [Fact]
    public void Decode_polyglot_png_signature_followed_by_jpeg_reports_image_corrupt()
    {
        byte[] polyglot = [.. ValidPng()[..8], .. ValidJpeg()];
        Assert.Equal(ImageErrorCode.ImageCorrupt, CodeOf(polyglot));
    }

    [Fact]
    public void Decode_polyglot_riff_webp_header_over_png_reports_image_corrupt()
    {
        var png = ValidPng();
        byte[] polyglot = [.. "RIFF"u8, 0, 0, 0, 0, .. "WEBP"u8, .. png];
        BinaryPrimitives.WriteInt32LittleEndian(polyglot.AsSpan(4), polyglot.Length - 8);
        Assert.Equal(ImageErrorCode.ImageCorrupt, CodeOf(polyglot));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Decode_truncated_webp_reports_image_corrupt(bool lossless)
    {
        var webp = ValidWebP(lossless);
        Assert.Equal(ImageErrorCode.ImageCorrupt, CodeOf(webp[..(webp.Length / 2)]));
    }

    [Fact]
    public void Decode_webp_with_garbage_bitstream_reports_image_corrupt()
    {
        var webp = ValidWebP(lossless: false);
        new Random(5).NextBytes(webp.AsSpan(30)); // keep RIFF/WEBP/VP8 chunk headers and the frame tag
        Assert.Equal(ImageErrorCode.ImageCorrupt, CodeOf(webp));
    }

    [Fact]
    public void Decode_lossless_webp_declaring_16384_by_16384_reports_image_too_large()
    {
        var webp = ValidWebP(lossless: true);
        Assert.Equal("VP8L"u8.ToArray(), webp[12..16]);
        var bits = BinaryPrimitives.ReadUInt32LittleEndian(webp.AsSpan(21)); // after the 0x2f signature byte
        BinaryPrimitives.WriteUInt32LittleEndian(webp.AsSpan(21), (bits & 0xF0000000u) | 16383u | (16383u << 14));
        Assert.Equal(ImageErrorCode.ImageTooLarge, CodeOf(webp)); // 268 MP, rejected from the header
    }

    [Fact]
    public void Decode_riff_header_alone_reports_image_corrupt() =>
        Assert.Equal(ImageErrorCode.ImageCorrupt, CodeOf("RIFF\x04\0\0\0WEBP"u8.ToArray()));

    [Fact]
    public void Decode_bmp_reports_unsupported_media_type()
    {
        // A valid 1x1 24-bit BMP: Skia could decode it, but only JPEG, PNG and WebP are accepted.
        byte[] bmp = [.. "BM"u8, 58, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 24, 0, 0, 0, 0, 0, 4, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 0];
        Assert.Equal(ImageErrorCode.UnsupportedMediaType, CodeOf(bmp));
        Assert.Equal(ImageErrorCode.UnsupportedMediaType, CodeOf(bmp, "image/bmp"));
    }

    [Theory]
    [InlineData("png")]
    [InlineData("jpeg")]
    public void Decode_of_a_60000_by_60000_header_allocates_no_pixel_buffer(string format)
    {
        var data = format == "png" ? PngWithHeader(60000, 60000) : JpegWithSize(60000, 60000);
        CodeOf(data); // warm up (first-call allocations are not the decoder's)

        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(ImageErrorCode.ImageTooLarge, CodeOf(data));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 64 * 1024, $"{allocated} bytes allocated to reject the header");
    }

    [Fact]
    public void Decode_jpeg_whose_scan_is_cut_by_a_stray_marker_reports_image_corrupt()
    {
        // The entropy-coded data ends early in a marker that cannot follow a scan; libjpeg would warn and fill grey.
        var jpeg = ValidJpeg();
        var sos = jpeg.AsSpan().IndexOf(new byte[] { 0xFF, 0xDA });
        var scanStart = sos + 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(sos + 2));
        byte[] cut = [.. jpeg.AsSpan(0, scanStart + 20), 0xFF, 0x05, .. jpeg.AsSpan(scanStart + 20)];
        Assert.Equal(ImageErrorCode.ImageCorrupt, CodeOf(cut));
    }

    [Fact]
    public void Decode_jpeg_without_end_of_image_marker_reports_image_corrupt() =>
        Assert.Equal(ImageErrorCode.ImageCorrupt, CodeOf(ValidJpeg()[..^2]));

    [Fact]
    public void Decode_jpeg_with_bytes_after_the_end_of_image_marker_decodes()
    {
        using var image = ImageDecoder.Decode([.. ValidJpeg(), .. "trailer written by a camera"u8]);
        Assert.Equal(64, image.Width);
    }

    [Fact]
    public void Decode_jpeg_with_more_than_500_scans_reports_image_corrupt()
    {
        var jpeg = Fixtures.Jpeg(Fixtures.Interleave(16, 16, 3, Fixtures.Smooth), 16, 16, JpegBuilder.Layout.YCbCr444, progressive: true);
        var firstScan = jpeg.AsSpan().IndexOf(new byte[] { 0xFF, 0xDA });
        byte[] emptyScan = [0xFF, 0xDA, 0, 8, 1, 1, 0, 1, 63, 0x11]; // a refinement scan of component 1 with no data
        var many = new List<byte>(jpeg.AsSpan(0, firstScan).ToArray());
        for (var i = 0; i < 501; i++)
        {
            many.AddRange(emptyScan);
        }

        many.AddRange(jpeg.AsSpan(firstScan).ToArray());
        var error = Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode([.. many]).Dispose());
        Assert.Equal(ImageErrorCode.ImageCorrupt, error.Code);
        Assert.Contains("more than 500 scans", error.Message, StringComparison.Ordinal);

        // The limit is the option's: with room for 600 scans the walk lets the file through to Skia (which may or may not
        // make sense of 501 empty refinement scans, but no longer for the scan count).
        var beyond = Record.Exception(() => ImageDecoder.Decode([.. many], options: new ImageDecodeOptions { MaxJpegScans = 600 }).Dispose());
        Assert.DoesNotContain("scans", beyond?.Message ?? "", StringComparison.Ordinal);
    }
}
