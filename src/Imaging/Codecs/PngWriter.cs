using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace Atelier.Imaging.Codecs;

/// <summary>
/// A single-pass managed PNG writer (8-bit gray or RGB, no interlace) on System.IO.Compression's zlib.
/// libpng's simplified write API compresses twice (once to size the output, once to write it) at its
/// default level; masks are answered on every click, so they take this path with the fastest level.
/// Layout per the PNG specification: signature, IHDR, IDAT (zlib stream of filtered scanlines), IEND,
/// each chunk as length, type, data, CRC-32 over type and data.
/// </summary>
internal static class PngWriter
{
    private const byte ColorGray = 0;
    private const byte ColorRgb = 2;
    private const byte FilterNone = 0;
    private const byte FilterSub = 1;

    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>8-bit grayscale, no filtering (masks are long runs, which zlib folds at any level).</summary>
    public static byte[] WriteGray(ReadOnlySpan<byte> pixels, int width, int height, CompressionLevel level) =>
        Write(pixels, width, height, 1, ColorGray, FilterNone, level);

    /// <summary>8-bit RGB with the Sub filter (cheap, and photos compress noticeably better with it).</summary>
    public static byte[] WriteRgb(ReadOnlySpan<byte> pixels, int width, int height, CompressionLevel level) =>
        Write(pixels, width, height, 3, ColorRgb, FilterSub, level);

    private static byte[] Write(ReadOnlySpan<byte> pixels, int width, int height, int channels, byte colorType, byte filter, CompressionLevel level)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        var stride = width * channels;
        if (pixels.Length < (long)stride * height)
        {
            throw new ArgumentException($"{pixels.Length} bytes cannot hold {width}x{height}x{channels}.", nameof(pixels));
        }

        var compressed = new MemoryStream(capacity: 1024 + (stride * height / 8));
        var row = ArrayPool<byte>.Shared.Rent(stride + 1);
        try
        {
            using (var zlib = new ZLibStream(compressed, level, leaveOpen: true))
            {
                row[0] = filter;
                for (var y = 0; y < height; y++)
                {
                    var source = pixels.Slice(y * stride, stride);
                    var target = row.AsSpan(1, stride);
                    if (filter == FilterSub)
                    {
                        source[..channels].CopyTo(target);
                        for (var i = channels; i < stride; i++)
                        {
                            target[i] = (byte)(source[i] - source[i - channels]);
                        }
                    }
                    else
                    {
                        source.CopyTo(target);
                    }

                    zlib.Write(row, 0, stride + 1);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(row);
        }

        var idat = compressed.GetBuffer().AsSpan(0, (int)compressed.Length);
        var output = new byte[Signature.Length + (12 + 13) + (12 + idat.Length) + 12];
        var span = output.AsSpan();
        Signature.CopyTo(span);
        var at = Signature.Length;
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], (uint)height);
        header[8] = 8; // bit depth
        header[9] = colorType;
        header[10] = 0; // deflate
        header[11] = 0; // adaptive filtering
        header[12] = 0; // no interlace
        at = WriteChunk(span, at, "IHDR"u8, header);
        at = WriteChunk(span, at, "IDAT"u8, idat);
        at = WriteChunk(span, at, "IEND"u8, []);
        System.Diagnostics.Debug.Assert(at == output.Length);
        return output;
    }

    private static int WriteChunk(Span<byte> output, int at, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        BinaryPrimitives.WriteUInt32BigEndian(output[at..], (uint)data.Length);
        type.CopyTo(output[(at + 4)..]);
        data.CopyTo(output[(at + 8)..]);
        var crc = Crc32(output.Slice(at + 4, 4 + data.Length));
        BinaryPrimitives.WriteUInt32BigEndian(output[(at + 8 + data.Length)..], crc);
        return at + 12 + data.Length;
    }

    /// <summary>CRC-32 (ISO 3309 / ITU-T V.42 polynomial 0xEDB88320, reflected), as PNG specifies.</summary>
    internal static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFFu;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
