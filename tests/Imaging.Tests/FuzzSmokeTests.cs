using System.Buffers.Binary;

namespace Atelier.Imaging.Tests;

/// <summary>
/// A bounded, seeded fuzz smoke run over the decoder: thousands of mutations (bit flips, truncations, length-field
/// edits, and the three together) of valid JPEG, PNG and WebP files made here, each decoded under tight limits.
/// Every input must either decode to an image within the limits or fail with an <see cref="ImageFormatException"/>;
/// nothing may crash the process or hang (each decode gets a generous deadline: a hang detector, not a speed check),
/// and the process's memory must not grow without bound over the run.
/// </summary>
public sealed class FuzzSmokeTests
{
    private const int MutationsPerFile = 500;
    private static readonly TimeSpan HangDeadline = TimeSpan.FromSeconds(20);
    private static readonly ImageDecodeOptions Limits = new() { MaxPixels = 4_000_000, MaxSide = 4096, MaxEncodedBytes = 1 << 20 };

    public static TheoryData<string> Seeds() => ["jpeg-baseline", "jpeg-progressive", "png-rgb", "png-palette-interlaced", "webp-lossy-alpha", "webp-lossless"];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Mutated_files_decode_or_fail_with_a_typed_error_without_hanging_or_growing_memory(string seed)
    {
        var original = Seed(seed);
        using (ImageDecoder.Decode(original, options: Limits))
        {
            // the unmutated file decodes: the mutations start from a valid image
        }

        var random = new Random(HashCode(seed));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var workingSetBefore = Environment.WorkingSet;
        int decoded = 0, rejected = 0;
        for (var i = 0; i < MutationsPerFile; i++)
        {
            var (input, mutation) = Mutate(original, seed.StartsWith("png", StringComparison.Ordinal) ? ImageFormat.Png
                : seed.StartsWith("jpeg", StringComparison.Ordinal) ? ImageFormat.Jpeg : ImageFormat.WebP, random);
            var attempt = Task.Run(() =>
            {
                using var image = ImageDecoder.Decode(input, options: Limits);
                Assert.InRange((long)image.Width * image.Height, 1, Limits.MaxPixels);
            });
            var finished = await Task.WhenAny(attempt, Task.Delay(HangDeadline)).ConfigureAwait(true) == attempt;
            Assert.True(finished, $"{seed} #{i} ({mutation}) did not finish within {HangDeadline.TotalSeconds} s");
            if (attempt.Exception is { } failure)
            {
                var error = failure.InnerException;
                Assert.True(error is ImageFormatException, $"{seed} #{i} ({mutation}) threw {error}");
                Assert.Contains(((ImageFormatException)error!).Code, new[] { ImageErrorCode.ImageCorrupt, ImageErrorCode.ImageTooLarge, ImageErrorCode.UnsupportedMediaType });
                rejected++;
            }
            else
            {
                decoded++;
            }
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var growth = Environment.WorkingSet - workingSetBefore;
        Assert.True(growth < 256L * 1024 * 1024, $"working set grew by {growth / (1024 * 1024)} MiB over {MutationsPerFile} decodes");
        Assert.True(rejected > 0, $"no mutation of {seed} was rejected: the mutations are not reaching the decoder");
        Assert.Equal(MutationsPerFile, decoded + rejected);
    }

    private static byte[] Seed(string name)
    {
        var rgb = Fixtures.Interleave(40, 32, 3, Fixtures.Smooth);
        var rgba = Fixtures.Interleave(40, 32, 4, (x, y, c) => c == 3 ? (byte)(x * 6) : Fixtures.Smooth(x, y, c));
        var palette = Enumerable.Range(0, 16 * 3).Select(i => (byte)(i * 5)).ToArray();
        return name switch
        {
            "jpeg-baseline" => Fixtures.Jpeg(rgb, 40, 32, JpegBuilder.Layout.YCbCr420, 90),
            "jpeg-progressive" => Fixtures.Jpeg(rgb, 40, 32, JpegBuilder.Layout.YCbCr444, 90, progressive: true),
            "png-rgb" => PngBuilder.Build(40, 32, 8, PngBuilder.Rgb, (x, y, c) => Fixtures.Smooth(x, y, c)),
            "png-palette-interlaced" => PngBuilder.Build(40, 32, 4, PngBuilder.Palette, (x, y, _) => (x + y) % 16, interlaced: true, palette, [0, 128, 255]),
            "webp-lossy-alpha" => Fixtures.WebP(rgba, 40, 32, alpha: true, lossless: false),
            _ => Fixtures.WebP(rgb, 40, 32, alpha: false, lossless: true),
        };
    }

    private static (byte[] Data, string Mutation) Mutate(byte[] original, ImageFormat format, Random random)
    {
        var data = (byte[])original.Clone();
        var kind = random.Next(4);
        var description = new List<string>();
        if (kind is 0 or 3)
        {
            var flips = random.Next(1, 9);
            for (var f = 0; f < flips; f++)
            {
                var bit = random.Next(data.Length * 8);
                data[bit / 8] ^= (byte)(1 << (bit % 8));
                description.Add($"flip bit {bit}");
            }
        }

        if (kind is 2 or 3)
        {
            var fields = LengthFields(data, format);
            var (offset, size) = fields[random.Next(fields.Count)];
            var value = random.Next(5) switch
            {
                0 => 0u,
                1 => size == 2 ? 0xFFFFu : 0xFFFFFFFFu,
                2 => Read(data, offset, size, format) + 1,
                3 => Read(data, offset, size, format) - 1,
                _ => (uint)random.Next(),
            };
            Write(data, offset, size, format, value);
            description.Add($"length field at {offset} := {value}");
        }

        if (kind is 1 or 3)
        {
            var length = random.Next(data.Length);
            data = data[..length];
            description.Add($"truncate to {length}");
        }

        return (data, string.Join(", ", description));
    }

    /// <summary>Offsets and sizes of the length fields: PNG chunk lengths, JPEG segment lengths, the RIFF size and WebP chunk sizes.</summary>
    private static List<(int Offset, int Size)> LengthFields(byte[] data, ImageFormat format)
    {
        var fields = new List<(int, int)>();
        if (format == ImageFormat.Png)
        {
            for (var at = 8; at + 8 <= data.Length; at += 12 + (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(at)), (uint)data.Length))
            {
                fields.Add((at, 4));
            }
        }
        else if (format == ImageFormat.Jpeg)
        {
            for (var at = 2; at + 4 <= data.Length && data[at] == 0xFF && data[at + 1] != 0xDA; at += 2 + BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(at + 2)))
            {
                fields.Add((at + 2, 2));
            }
        }
        else
        {
            fields.Add((4, 4));
            for (var at = 12; at + 8 <= data.Length; at += 8 + (int)Math.Min((BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(at + 4)) + 1) & ~1u, (uint)data.Length))
            {
                fields.Add((at + 4, 4));
            }
        }

        return fields.Count > 0 ? fields : [(0, 2)];
    }

    private static uint Read(byte[] data, int offset, int size, ImageFormat format) => size == 2
        ? BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset))
        : format == ImageFormat.WebP ? BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset)) : BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(offset));

    private static void Write(byte[] data, int offset, int size, ImageFormat format, uint value)
    {
        if (size == 2)
        {
            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(offset), (ushort)value);
        }
        else if (format == ImageFormat.WebP)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(offset), value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(offset), value);
        }
    }

    /// <summary>A stable seed per file name (string.GetHashCode is randomised per process).</summary>
    private static int HashCode(string text)
    {
        var hash = 17;
        foreach (var c in text)
        {
            hash = (hash * 31) + c;
        }

        return hash;
    }
}
