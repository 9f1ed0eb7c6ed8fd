using Atelier.Bench.Infrastructure;
using Atelier.Imaging;

namespace Atelier.Bench;

/// <summary>
/// Image codecs on SkiaSharp (issue 17): decode + EXIF orientation + RGB conversion (<see cref="ImageDecoder"/>) of the
/// shared photos and of a generated 4000×3000 JPEG, beside Skia's own share of it (<c>SKCodec.GetPixels</c> into RGBA),
/// and PNG encoding of an 1800×1200 SAM-shaped mask (<see cref="PngEncoder"/>). Candidates alternate inside every round
/// (<see cref="InterleavedRounds"/>). The comparison with the system-library interop this replaced, run before it was
/// deleted, is in <c>bench/results/codecs-interop-vs-skia.md</c>.
/// Argument: a folder of JPEG photos (default <c>../shared/testdata/photos</c> from the repository root; without it,
/// only the generated JPEG is decoded).
/// </summary>
internal sealed class CodecsBenchmark : IBenchmark
{
    private const int WarmUp = 3;
    private const int Rounds = 15;

    public string Name => "codecs";

    public string Description => "SkiaSharp codecs: decode + orientation + RGB of the shared photos and a 4000x3000 JPEG, PNG encode of an 1800x1200 mask";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var folder = context.Arguments.Count > 0
            ? context.Arguments[0]
            : Path.GetFullPath(Path.Combine(context.RepositoryRoot, "..", "shared", "testdata", "photos"));
        var inputs = new List<(string Name, byte[] Data)>();
        if (Directory.Exists(folder))
        {
            foreach (var path in Directory.GetFiles(folder, "*.jpg").Order(StringComparer.Ordinal))
            {
                inputs.Add((Path.GetFileName(path), await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false)));
            }
        }

        inputs.Add(("generated 4000x3000 (q90)", LargeJpeg(inputs.Count > 0 ? inputs[^1].Data : null)));
        var output = context.Output;
        await output.WriteLineAsync($"Photos from {folder} ({inputs.Count - 1} found). Median ms of {Rounds} rounds after {WarmUp} warm-up calls; candidates interleaved.").ConfigureAwait(false);
        await output.WriteLineAsync().ConfigureAwait(false);
        await MarkdownTable.WriteHeaderAsync(output, "decode + orientation + RGB", "size", "ImageDecoder ms", "of which SKCodec.GetPixels ms", "share").ConfigureAwait(false);
        double decodeTotal = 0, getPixelsTotal = 0;
        foreach (var (name, data) in inputs)
        {
            string size;
            using (var probe = ImageDecoder.Decode(data, "image/jpeg"))
            {
                size = $"{probe.Width}x{probe.Height}, {data.Length / 1024} KiB";
            }

            var stats = await InterleavedRounds.MeasureAsync(
                [
                    ("decode", () => Run(() => ImageDecoder.Decode(data, "image/jpeg").Dispose())),
                    ("getpixels", () => Run(() => GetPixelsOnly(data))),
                ],
                WarmUp, Rounds, 1, cancellationToken).ConfigureAwait(false);
            decodeTotal += stats[0].Median;
            getPixelsTotal += stats[1].Median;
            await output.WriteLineAsync($"| {name} | {size} | {stats[0].Median:F2} | {stats[1].Median:F2} | {stats[1].Median / stats[0].Median:P0} |").ConfigureAwait(false);
        }

        await output.WriteLineAsync($"| all inputs (sum of medians) | | {decodeTotal:F2} | {getPixelsTotal:F2} | {getPixelsTotal / decodeTotal:P0} |").ConfigureAwait(false);
        await output.WriteLineAsync().ConfigureAwait(false);

        using var mask = SamShapedMask(1800, 1200);
        var encoders = new (string Name, Func<byte[]> Encode)[]
        {
            ("PngEncoder (Skia's libpng, zlib 1, None filter)", () => PngEncoder.Encode(mask)),
        };
        var encodeStats = await InterleavedRounds.MeasureAsync(
            [.. encoders.Select(e => (e.Name, (Func<Task>)(() => Run(() => e.Encode()))))], WarmUp * 10, Rounds, 10, cancellationToken).ConfigureAwait(false);
        await MarkdownTable.WriteHeaderAsync(output, "PNG encode, 1800x1200 mask", "bytes", "median ms", "p90 ms").ConfigureAwait(false);
        for (var i = 0; i < encoders.Length; i++)
        {
            await output.WriteLineAsync($"| {encoders[i].Name} | {encoders[i].Encode().Length:N0} | {encodeStats[i].Median:F3} | {encodeStats[i].P90:F3} |").ConfigureAwait(false);
        }
    }

    /// <summary>Skia's share of the Skia path: codec creation and <c>GetPixels</c> into a pooled RGBA buffer, no RGB split.</summary>
    private static unsafe void GetPixelsOnly(byte[] data)
    {
        fixed (byte* encoded = data)
        {
            using var skData = SkiaSharp.SKData.Create((IntPtr)encoded, data.Length);
            using var codec = SkiaSharp.SKCodec.Create(skData);
            var info = new SkiaSharp.SKImageInfo(codec.Info.Width, codec.Info.Height, SkiaSharp.SKColorType.Rgba8888, SkiaSharp.SKAlphaType.Opaque);
            var rgba = System.Buffers.ArrayPool<byte>.Shared.Rent(info.BytesSize);
            fixed (byte* pixels = rgba)
            {
                codec.GetPixels(info, (IntPtr)pixels, info.RowBytes, SkiaSharp.SKCodecOptions.Default);
            }

            System.Buffers.ArrayPool<byte>.Shared.Return(rgba);
        }
    }

    private static Task Run(Action action)
    {
        action();
        return Task.CompletedTask;
    }

    /// <summary>A 4000×3000 q90 JPEG: <paramref name="photo"/> scaled up (photo-like content), or a synthetic scene.</summary>
    private static byte[] LargeJpeg(byte[]? photo)
    {
        if (photo is not null)
        {
            using var source = ImageDecoder.Decode(photo);
            using var large = ImageResize.Resize(source, 4000, 3000, ResizeFilter.Bilinear);
            return JpegEncoder.Encode(large, 90);
        }

        using var image = new RgbImage(4000, 3000);
        var pixels = image.Pixels;
        for (var y = 0; y < 3000; y++)
        {
            for (var x = 0; x < 4000; x++)
            {
                var p = ((y * 4000) + x) * 3;
                pixels[p] = (byte)((x / 7) + (y / 11));
                pixels[p + 1] = (byte)(128 + (64 * Math.Sin(x / 40.0)));
                pixels[p + 2] = (byte)((x * y) >> 12);
            }
        }

        return JpegEncoder.Encode(image, 90);
    }

    /// <summary>What SAM answers for a click: a blob (ellipse) post-processed from 256² logits to the full size.</summary>
    private static Mask SamShapedMask(int width, int height)
    {
        var logits = new float[256 * 256];
        for (var y = 0; y < 256; y++)
        {
            for (var x = 0; x < 256; x++)
            {
                double dx = (x - 120) / 70.0, dy = (y - 80) / 40.0;
                logits[(y * 256) + x] = (float)(8 * (1 - ((dx * dx) + (dy * dy))));
            }
        }

        return new SamTransform(width, height).PostprocessMask(logits);
    }
}
