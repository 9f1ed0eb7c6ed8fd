using System.Buffers.Binary;
using System.IO.Compression;

namespace Atelier.Imaging.Tests;

/// <summary>
/// Writes PNG files byte by byte (signature, IHDR, optional PLTE/tRNS, one zlib IDAT, IEND) so the
/// decoder is tested on every colour type, bit depth and Adam7 interlacing without trusting an encoder.
/// </summary>
internal static class PngBuilder
{
    // PNG colour types
    public const int Gray = 0;
    public const int Rgb = 2;
    public const int Palette = 3;
    public const int GrayAlpha = 4;
    public const int Rgba = 6;

    private static readonly (int X0, int Y0, int Dx, int Dy)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    public static int Channels(int colorType) => colorType switch
    {
        Gray or Palette => 1,
        GrayAlpha => 2,
        Rgb => 3,
        _ => 4,
    };

    /// <summary>Builds a PNG whose sample (x, y, channel) is <paramref name="sample"/>(x, y, c), in the file's bit depth.</summary>
    public static byte[] Build(int width, int height, int bitDepth, int colorType, Func<int, int, int, int> sample,
        bool interlaced = false, byte[]? palette = null, byte[]? transparency = null, IEnumerable<(string Type, byte[] Data)>? extraChunks = null)
    {
        using var file = new MemoryStream();
        file.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = (byte)colorType;
        ihdr[12] = (byte)(interlaced ? 1 : 0);
        WriteChunk(file, "IHDR", ihdr);
        foreach (var (type, data) in extraChunks ?? [])
        {
            WriteChunk(file, type, data);
        }

        if (palette is not null)
        {
            WriteChunk(file, "PLTE", palette);
        }

        if (transparency is not null)
        {
            WriteChunk(file, "tRNS", transparency);
        }

        WriteChunk(file, "IDAT", Compress(Scanlines(width, height, bitDepth, colorType, sample, interlaced)));
        WriteChunk(file, "IEND", []);
        return file.ToArray();
    }

    public static void WriteChunk(Stream stream, string type, byte[] data)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, data.Length);
        System.Text.Encoding.ASCII.GetBytes(type, header[4..]);
        stream.Write(header);
        stream.Write(data);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(header[4..], data));
        stream.Write(crc);
    }

    public static uint Crc32(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in type)
        {
            crc = Step(crc, b);
        }

        foreach (var b in data)
        {
            crc = Step(crc, b);
        }

        return crc ^ 0xFFFFFFFFu;

        static uint Step(uint crc, byte b)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }

            return crc;
        }
    }

    private static byte[] Scanlines(int width, int height, int bitDepth, int colorType, Func<int, int, int, int> sample, bool interlaced)
    {
        var raw = new MemoryStream();
        var passes = interlaced ? Adam7 : [(0, 0, 1, 1)];
        foreach (var (x0, y0, dx, dy) in passes)
        {
            for (var y = y0; y < height; y += dy)
            {
                if (x0 >= width)
                {
                    break;
                }

                raw.WriteByte(0); // filter type None
                WriteRow(raw, width, bitDepth, colorType, sample, y, x0, dx);
            }
        }

        return raw.ToArray();
    }

    private static void WriteRow(Stream raw, int width, int bitDepth, int colorType, Func<int, int, int, int> sample, int y, int x0, int dx)
    {
        var channels = Channels(colorType);
        int acc = 0, bits = 0;
        for (var x = x0; x < width; x += dx)
        {
            for (var c = 0; c < channels; c++)
            {
                var v = sample(x, y, c);
                if (bitDepth == 16)
                {
                    raw.WriteByte((byte)(v >> 8));
                    raw.WriteByte((byte)v);
                }
                else if (bitDepth == 8)
                {
                    raw.WriteByte((byte)v);
                }
                else
                {
                    acc = (acc << bitDepth) | v;
                    bits += bitDepth;
                    if (bits == 8)
                    {
                        raw.WriteByte((byte)acc);
                        acc = 0;
                        bits = 0;
                    }
                }
            }
        }

        if (bits > 0)
        {
            raw.WriteByte((byte)(acc << (8 - bits)));
        }
    }

    private static byte[] Compress(byte[] data)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(data);
        }

        return output.ToArray();
    }
}
