using System.Diagnostics;
using Atelier.Imaging;

namespace Atelier.Bench;

/// <summary>
/// SAM image path: JPEG decode, SAM preprocessing (PIL-bilinear resize to 1024 on the long side,
/// normalise, pad into a pooled CHW buffer) and low-res mask post-processing back to the photo's size.
/// The post-processing is measured beside a direct per-pixel reference (full 1024×1024 upsample, crop,
/// resize) so the separable path is reported as a ratio from the same run.
/// Argument: a JPEG path (default ../shared/testdata/photos/truck.jpg from the repository root; a
/// generated 1800×1200 JPEG when absent).
/// </summary>
internal sealed class ImagingBenchmark : IBenchmark
{
    private const int Warmup = 3;
    private const int Iterations = 20;

    public string Name => "imaging";

    public string Description => "JPEG decode + SAM preprocess of an 1800x1200 photo, low-res mask post-processing to full size";

    public Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var path = context.Arguments.Count > 0
            ? context.Arguments[0]
            : Path.GetFullPath(Path.Combine(context.RepositoryRoot, "..", "shared", "testdata", "photos", "truck.jpg"));
        byte[] jpeg;
        string source;
        if (File.Exists(path))
        {
            jpeg = File.ReadAllBytes(path);
            source = Path.GetFileName(path);
        }
        else
        {
            jpeg = GeneratedJpeg();
            source = "generated 1800x1200 (q90)";
        }

        int width, height;
        using (var probe = ImageDecoder.Decode(jpeg, "image/jpeg"))
        {
            (width, height) = (probe.Width, probe.Height);
        }

        var transform = new SamTransform(width, height);
        var tensor = System.Buffers.ArrayPool<float>.Shared.Rent(transform.ChwLength);
        var lowRes = LowResLogits();
        var logits = new float[width * height];
        try
        {
            using var decoded = ImageDecoder.Decode(jpeg, "image/jpeg");

            // Candidates run round-robin inside each iteration, so load on the machine hits them alike.
            var medians = Measure(
                cancellationToken,
                () => ImageDecoder.Decode(jpeg, "image/jpeg").Dispose(),
                () => transform.Preprocess(decoded, tensor),
                () =>
                {
                    using var image = ImageDecoder.Decode(jpeg, "image/jpeg");
                    transform.Preprocess(image, tensor);
                },
                () => transform.PostprocessMask(lowRes).Dispose(),
                () => ReferencePostprocess(lowRes, transform),
                () => FullThenThreshold(lowRes, transform, logits));
            var (decode, preprocess, both, post, reference, full) = (medians[0], medians[1], medians[2], medians[3], medians[4], medians[5]);

            var output = context.Output;
            output.WriteLine($"Input: {source}, {width}x{height}, {jpeg.Length:N0} bytes; SAM target {transform.ResizedWidth}x{transform.ResizedHeight} padded to 1024. Median of {Iterations} runs after {Warmup} warm-up.");
            output.WriteLine();
            output.WriteLine("| Step | Median ms |");
            output.WriteLine("|---|---:|");
            output.WriteLine($"| JPEG decode (SkiaSharp SKCodec, RGB) | {decode:F2} |");
            output.WriteLine($"| SAM preprocess (PIL-bilinear resize + normalise + pad, CHW float32) | {preprocess:F2} |");
            output.WriteLine($"| Decode + SAM preprocess | {both:F2} |");
            output.WriteLine($"| Mask post-process 256² → 1024² → crop → {width}x{height} + threshold (separable; only chunks along the edge interpolated) | {post:F2} |");
            output.WriteLine($"| Same, direct per-pixel reference (full 1024² intermediate) | {reference:F2} |");
            output.WriteLine($"| Same, every pixel upscaled (separable logits) then thresholded: what a mask cost before the edge-only path | {full:F2} |");
            output.WriteLine($"| Ratio reference / separable | {reference / post:F2}x |");
            output.WriteLine($"| Ratio every pixel / edge-only (the mask a click returns) | {full / post:F2}x |");
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(tensor);
        }

        return Task.CompletedTask;
    }

    private static double[] Measure(CancellationToken cancellationToken, params Action[] candidates)
    {
        for (var i = 0; i < Warmup; i++)
        {
            foreach (var candidate in candidates)
            {
                candidate();
            }
        }

        var samples = new double[candidates.Length][];
        for (var c = 0; c < candidates.Length; c++)
        {
            samples[c] = new double[Iterations];
        }

        for (var i = 0; i < Iterations; i++)
        {
            for (var c = 0; c < candidates.Length; c++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var start = Stopwatch.GetTimestamp();
                candidates[c]();
                samples[c][i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }

        return [.. samples.Select(BenchContext.Median)];
    }

    private static byte[] GeneratedJpeg()
    {
        using var image = new RgbImage(1800, 1200);
        var pixels = image.Pixels;
        for (var y = 0; y < 1200; y++)
        {
            for (var x = 0; x < 1800; x++)
            {
                var p = ((y * 1800) + x) * 3;
                pixels[p] = (byte)((x / 7) + (y / 11));
                pixels[p + 1] = (byte)(128 + (64 * Math.Sin(x / 40.0)));
                pixels[p + 2] = (byte)((x * y) >> 12);
            }
        }

        return JpegEncoder.Encode(image, 90);
    }

    /// <summary>A blob-shaped logit map like SAM's: positive inside an ellipse, negative outside.</summary>
    /// <summary>Every output logit (<see cref="SamTransform.PostprocessLogits"/>), then the threshold: the mask path before it interpolated only chunks along the edge.</summary>
    private static void FullThenThreshold(float[] lowRes, SamTransform transform, float[] logits)
    {
        transform.PostprocessLogits(lowRes, logits);
        using var mask = new Mask(transform.OriginalWidth, transform.OriginalHeight, clear: false);
        var data = mask.Data;
        for (var i = 0; i < logits.Length; i++)
        {
            data[i] = logits[i] > 0f ? Mask.On : (byte)0;
        }
    }

    private static float[] LowResLogits()
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

        return logits;
    }

    /// <summary>The straightforward way: materialise the 1024×1024 upsample, crop, resample every output pixel.</summary>
    private static void ReferencePostprocess(float[] lowRes, SamTransform transform)
    {
        var full = Bilinear(lowRes, 256, 256, 1024, 1024, 1024);
        var mask = new byte[transform.OriginalWidth * transform.OriginalHeight];
        int nh = transform.ResizedHeight, nw = transform.ResizedWidth, h = transform.OriginalHeight, w = transform.OriginalWidth;
        for (var oy = 0; oy < h; oy++)
        {
            var sy = Math.Max(0f, ((float)nh / h * (oy + 0.5f)) - 0.5f);
            var y0 = (int)sy;
            var y1 = y0 < nh - 1 ? y0 + 1 : y0;
            var ly1 = sy - y0;
            for (var ox = 0; ox < w; ox++)
            {
                var sx = Math.Max(0f, ((float)nw / w * (ox + 0.5f)) - 0.5f);
                var x0 = (int)sx;
                var x1 = x0 < nw - 1 ? x0 + 1 : x0;
                var lx1 = sx - x0;
                var top = (full[(y0 * 1024) + x0] * (1 - lx1)) + (full[(y0 * 1024) + x1] * lx1);
                var bottom = (full[(y1 * 1024) + x0] * (1 - lx1)) + (full[(y1 * 1024) + x1] * lx1);
                mask[(oy * w) + ox] = (top * (1 - ly1)) + (bottom * ly1) > 0 ? (byte)255 : (byte)0;
            }
        }
    }

    private static float[] Bilinear(float[] source, int inH, int inW, int outH, int outW, int stride)
    {
        var result = new float[outH * stride];
        for (var oy = 0; oy < outH; oy++)
        {
            var sy = Math.Max(0f, ((float)inH / outH * (oy + 0.5f)) - 0.5f);
            var y0 = (int)sy;
            var y1 = y0 < inH - 1 ? y0 + 1 : y0;
            var ly1 = sy - y0;
            for (var ox = 0; ox < outW; ox++)
            {
                var sx = Math.Max(0f, ((float)inW / outW * (ox + 0.5f)) - 0.5f);
                var x0 = (int)sx;
                var x1 = x0 < inW - 1 ? x0 + 1 : x0;
                var lx1 = sx - x0;
                var top = (source[(y0 * inW) + x0] * (1 - lx1)) + (source[(y0 * inW) + x1] * lx1);
                var bottom = (source[(y1 * inW) + x0] * (1 - lx1)) + (source[(y1 * inW) + x1] * lx1);
                result[(oy * stride) + ox] = (top * (1 - ly1)) + (bottom * ly1);
            }
        }

        return result;
    }
}
