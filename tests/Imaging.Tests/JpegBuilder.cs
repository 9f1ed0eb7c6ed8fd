using System.Buffers.Binary;

namespace Atelier.Imaging.Tests;

/// <summary>
/// Writes JPEG files from scratch (ITU T.81) so the decoder is tested on baseline and progressive files, grayscale,
/// YCbCr 4:4:4 / 4:2:2 / 4:2:0 and Adobe CMYK without trusting an encoder (Skia's writes neither progressive nor CMYK).
/// Deliberately plain: a direct float DCT, the Annex K quantisation tables scaled by quality (IJG formula), and
/// fixed-length Huffman tables (every DC category a 4-bit code, every AC run/size symbol an 8-bit code), which are
/// valid tables for any image, just not small ones. Progressive files use spectral selection only: one interleaved
/// DC scan, then one AC scan (coefficients 1–63) per component.
/// </summary>
public static class JpegBuilder
{
    public enum Layout
    {
        /// <summary>One component; pixels are one byte each.</summary>
        Gray,

        /// <summary>RGB pixels stored as YCbCr without subsampling.</summary>
        YCbCr444,

        /// <summary>RGB pixels stored as YCbCr, chroma halved horizontally.</summary>
        YCbCr422,

        /// <summary>RGB pixels stored as YCbCr, chroma halved in both directions.</summary>
        YCbCr420,

        /// <summary>Four components (C, M, Y, K bytes as given, Adobe's inverted convention) with an Adobe APP14 marker, transform 0.</summary>
        Cmyk,
    }

    private static readonly int[] ZigZag =
    [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
    ];

    private static readonly int[] LumaQuant =
    [
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
    ];

    private static readonly int[] ChromaQuant =
    [
        17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    ];

    /// <summary>AC symbols in code order: EOB, ZRL, then every (run, size) with size 1..10.</summary>
    private static readonly byte[] AcSymbols = BuildAcSymbols();

    private sealed record Component(int Id, int H, int V, int QuantTable, byte[] Plane, int PlaneWidth, int PlaneHeight, int BlocksWide, int BlocksHigh)
    {
        public int[][] Blocks { get; set; } = [];
    }

    /// <summary>Encodes <paramref name="pixels"/> (1, 3 or 4 bytes per pixel by <paramref name="layout"/>).</summary>
    public static byte[] Build(byte[] pixels, int width, int height, Layout layout, int quality = 95, bool progressive = false)
    {
        var channels = layout switch { Layout.Gray => 1, Layout.Cmyk => 4, _ => 3 };
        var full = SplitPlanes(pixels, width, height, channels, layout != Layout.Gray && layout != Layout.Cmyk);
        var (hMax, vMax) = layout switch { Layout.YCbCr422 => (2, 1), Layout.YCbCr420 => (2, 2), _ => (1, 1) };
        int mcusX = (width + (8 * hMax) - 1) / (8 * hMax), mcusY = (height + (8 * vMax) - 1) / (8 * vMax);
        var quant = new[] { Scale(LumaQuant, quality), Scale(ChromaQuant, quality) };
        var components = new List<Component>();
        for (var c = 0; c < channels; c++)
        {
            var chroma = channels == 3 && c > 0;
            int h = chroma ? 1 : hMax, v = chroma ? 1 : vMax;
            int planeWidth = mcusX * 8 * h, planeHeight = mcusY * 8 * v;
            var plane = Resample(full[c], width, height, planeWidth, planeHeight, hMax / h, vMax / v);
            var component = new Component(c + 1, h, v, chroma ? 1 : 0, plane, planeWidth, planeHeight, planeWidth / 8, planeHeight / 8);
            component.Blocks = Transform(component, quant[component.QuantTable]);
            components.Add(component);
        }

        using var file = new MemoryStream();
        file.Write([0xFF, 0xD8]);
        if (layout == Layout.Cmyk)
        {
            Segment(file, 0xEE, [.. "Adobe"u8, 0, 100, 0, 0, 0, 0, 0]); // version 100, flags 0, transform 0 (CMYK)
        }
        else
        {
            Segment(file, 0xE0, [.. "JFIF\0"u8, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
        }

        for (var t = 0; t < (channels == 3 ? 2 : 1); t++)
        {
            var dqt = new byte[65];
            dqt[0] = (byte)t;
            for (var k = 0; k < 64; k++)
            {
                dqt[1 + k] = (byte)quant[t][ZigZag[k]];
            }

            Segment(file, 0xDB, dqt);
        }

        var sof = new List<byte> { 8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, (byte)channels };
        foreach (var component in components)
        {
            sof.AddRange([(byte)component.Id, (byte)((component.H << 4) | component.V), (byte)component.QuantTable]);
        }

        Segment(file, progressive ? (byte)0xC2 : (byte)0xC0, [.. sof]);
        Segment(file, 0xC4, HuffmanTable(0x00, 4, [.. Enumerable.Range(0, 12).Select(i => (byte)i)])); // DC table 0
        Segment(file, 0xC4, HuffmanTable(0x10, 8, AcSymbols)); // AC table 0

        if (!progressive)
        {
            Scan(file, components, 0, 63, (bits, _) => EncodeMcus(bits, components, mcusX, mcusY, dc: true, ac: true));
        }
        else
        {
            Scan(file, components, 0, 0, (bits, _) => EncodeMcus(bits, components, mcusX, mcusY, dc: true, ac: false));
            foreach (var component in components)
            {
                // A non-interleaved scan covers only the blocks inside the component's own size (T.81 A.2.2), not the MCU padding.
                var blocksWide = ((((width * component.H) + hMax - 1) / hMax) + 7) / 8;
                var blocksHigh = ((((height * component.V) + vMax - 1) / vMax) + 7) / 8;
                Scan(file, [component], 1, 63, (bits, _) =>
                {
                    for (var by = 0; by < blocksHigh; by++)
                    {
                        for (var bx = 0; bx < blocksWide; bx++)
                        {
                            EncodeAc(bits, component.Blocks[(by * component.BlocksWide) + bx]);
                        }
                    }
                });
            }
        }

        file.Write([0xFF, 0xD9]);
        return file.ToArray();
    }

    private static byte[][] SplitPlanes(byte[] pixels, int width, int height, int channels, bool toYCbCr)
    {
        var planes = new byte[channels][];
        for (var c = 0; c < channels; c++)
        {
            planes[c] = new byte[width * height];
        }

        for (var i = 0; i < width * height; i++)
        {
            if (toYCbCr)
            {
                double r = pixels[i * 3], g = pixels[(i * 3) + 1], b = pixels[(i * 3) + 2];
                planes[0][i] = Clamp((0.299 * r) + (0.587 * g) + (0.114 * b));
                planes[1][i] = Clamp((-0.168736 * r) - (0.331264 * g) + (0.5 * b) + 128);
                planes[2][i] = Clamp((0.5 * r) - (0.418688 * g) - (0.081312 * b) + 128);
            }
            else
            {
                for (var c = 0; c < channels; c++)
                {
                    planes[c][i] = pixels[(i * channels) + c];
                }
            }
        }

        return planes;
    }

    /// <summary>A component plane of the padded size: the average of each <paramref name="fx"/>×<paramref name="fy"/> cell, edges replicated.</summary>
    private static byte[] Resample(byte[] full, int width, int height, int planeWidth, int planeHeight, int fx, int fy)
    {
        var plane = new byte[planeWidth * planeHeight];
        for (var y = 0; y < planeHeight; y++)
        {
            for (var x = 0; x < planeWidth; x++)
            {
                var sum = 0;
                for (var dy = 0; dy < fy; dy++)
                {
                    for (var dx = 0; dx < fx; dx++)
                    {
                        sum += full[(Math.Min((y * fy) + dy, height - 1) * width) + Math.Min((x * fx) + dx, width - 1)];
                    }
                }

                plane[(y * planeWidth) + x] = (byte)((sum + (fx * fy / 2)) / (fx * fy));
            }
        }

        return plane;
    }

    /// <summary>Forward DCT and quantisation of every block; coefficients in zigzag order.</summary>
    private static int[][] Transform(Component component, int[] quant)
    {
        var blocks = new int[component.BlocksWide * component.BlocksHigh][];
        for (var by = 0; by < component.BlocksHigh; by++)
        {
            for (var bx = 0; bx < component.BlocksWide; bx++)
            {
                var block = new int[64];
                for (var v = 0; v < 8; v++)
                {
                    for (var u = 0; u < 8; u++)
                    {
                        var sum = 0.0;
                        for (var y = 0; y < 8; y++)
                        {
                            for (var x = 0; x < 8; x++)
                            {
                                var sample = component.Plane[(((by * 8) + y) * component.PlaneWidth) + (bx * 8) + x] - 128.0;
                                sum += sample * Math.Cos(((2 * x) + 1) * u * Math.PI / 16) * Math.Cos(((2 * y) + 1) * v * Math.PI / 16);
                            }
                        }

                        var cu = u == 0 ? Math.Sqrt(0.5) : 1.0;
                        var cv = v == 0 ? Math.Sqrt(0.5) : 1.0;
                        var natural = (v * 8) + u;
                        block[Array.IndexOf(ZigZag, natural)] = (int)Math.Round(0.25 * cu * cv * sum / quant[natural]);
                    }
                }

                blocks[(by * component.BlocksWide) + bx] = block;
            }
        }

        return blocks;
    }

    private static void EncodeMcus(BitWriter bits, List<Component> components, int mcusX, int mcusY, bool dc, bool ac)
    {
        var predictors = new int[components.Count];
        for (var my = 0; my < mcusY; my++)
        {
            for (var mx = 0; mx < mcusX; mx++)
            {
                for (var c = 0; c < components.Count; c++)
                {
                    var component = components[c];
                    for (var v = 0; v < component.V; v++)
                    {
                        for (var h = 0; h < component.H; h++)
                        {
                            var block = component.Blocks[((((my * component.V) + v) * component.BlocksWide) + (mx * component.H)) + h];
                            if (dc)
                            {
                                var diff = block[0] - predictors[c];
                                predictors[c] = block[0];
                                var size = Magnitude(diff);
                                bits.Write(size, 4);
                                bits.Write(Bits(diff, size), size);
                            }

                            if (ac)
                            {
                                EncodeAc(bits, block);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Coefficients 1..63 as (run, size) symbols, ZRL for 16 zeros, EOB after the last non-zero (EOBRUN 1 in a progressive scan).</summary>
    private static void EncodeAc(BitWriter bits, int[] block)
    {
        var run = 0;
        for (var k = 1; k < 64; k++)
        {
            if (block[k] == 0)
            {
                run++;
                continue;
            }

            while (run > 15)
            {
                bits.Write(Array.IndexOf(AcSymbols, (byte)0xF0), 8);
                run -= 16;
            }

            var size = Magnitude(block[k]);
            bits.Write(Array.IndexOf(AcSymbols, (byte)((run << 4) | size)), 8);
            bits.Write(Bits(block[k], size), size);
            run = 0;
        }

        if (run > 0)
        {
            bits.Write(Array.IndexOf(AcSymbols, (byte)0x00), 8);
        }
    }

    private static void Scan(MemoryStream file, List<Component> components, int ss, int se, Action<BitWriter, int> encode)
    {
        var sos = new List<byte> { (byte)components.Count };
        foreach (var component in components)
        {
            sos.AddRange([(byte)component.Id, 0x00]); // DC table 0, AC table 0
        }

        sos.AddRange([(byte)ss, (byte)se, 0]);
        Segment(file, 0xDA, [.. sos]);
        var bits = new BitWriter(file);
        encode(bits, 0);
        bits.Flush();
    }

    /// <summary>A DHT payload giving every symbol a code of the same <paramref name="length"/>, in list order.</summary>
    private static byte[] HuffmanTable(byte classAndId, int length, byte[] symbols)
    {
        var table = new byte[1 + 16 + symbols.Length];
        table[0] = classAndId;
        table[length] = (byte)symbols.Length; // BITS[length - 1]: count of codes of that length
        symbols.CopyTo(table, 17);
        return table;
    }

    private static void Segment(MemoryStream file, byte marker, byte[] payload)
    {
        Span<byte> header = [0xFF, marker, 0, 0];
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)(payload.Length + 2));
        file.Write(header);
        file.Write(payload);
    }

    private static int[] Scale(int[] table, int quality)
    {
        var scale = quality < 50 ? 5000 / quality : 200 - (2 * quality);
        return [.. table.Select(q => Math.Clamp(((q * scale) + 50) / 100, 1, 255))];
    }

    private static int Magnitude(int value)
    {
        var size = 0;
        for (var a = Math.Abs(value); a > 0; a >>= 1)
        {
            size++;
        }

        return size;
    }

    private static int Bits(int value, int size) => value >= 0 ? value : value + (1 << size) - 1;

    private static byte Clamp(double value) => (byte)Math.Clamp((int)Math.Round(value), 0, 255);

    private static byte[] BuildAcSymbols()
    {
        var symbols = new List<byte> { 0x00, 0xF0 };
        for (var run = 0; run < 16; run++)
        {
            for (var size = 1; size <= 10; size++)
            {
                symbols.Add((byte)((run << 4) | size));
            }
        }

        return [.. symbols];
    }

    /// <summary>Entropy-coded bytes, most significant bit first, every 0xFF followed by a stuffed 0x00, padded with 1 bits.</summary>
    private sealed class BitWriter(MemoryStream output)
    {
        private int _buffer;
        private int _count;

        public void Write(int value, int length)
        {
            for (var i = length - 1; i >= 0; i--)
            {
                _buffer = (_buffer << 1) | ((value >> i) & 1);
                if (++_count == 8)
                {
                    Emit();
                }
            }
        }

        public void Flush()
        {
            while (_count != 0)
            {
                Write(1, 1);
            }
        }

        private void Emit()
        {
            output.WriteByte((byte)_buffer);
            if (_buffer == 0xFF)
            {
                output.WriteByte(0);
            }

            _buffer = 0;
            _count = 0;
        }
    }
}
