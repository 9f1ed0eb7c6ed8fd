using System.Diagnostics;
using Atelier.Imaging;
using Atelier.Models.Adapters;
using Atelier.Models.Forge;
using Atelier.Models.Store;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Atelier.Bench;

/// <summary>
/// Per model of the store (<c>sam-demo</c>, <c>sam-isnet</c>, <c>lama-demo</c>, <c>isnet</c>): median times of
/// the adapter steps, side by side in one run on one image: SAM encode (preprocess + encoder) and decode
/// (decoder + mask post-processing, one click, single and multimask), LaMa inpaint of a 96×96 hole
/// (dilate, crop, letterbox, run, composite), ISNet segment. Ratios are against the ISNet segment.
/// Arguments: [image path] (default: a generated 800×534 scene).
/// </summary>
internal sealed class ModelsBenchmark : IBenchmark
{
    private const int HeavyRuns = 5;
    private const int LightRuns = 10;
    private const int DecodeRuns = 30;

    public string Name => "models";

    public string Description => "model adapters: SAM encode/decode (sam-demo, sam-isnet), lama-demo inpaint, isnet segment";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        using var store = new FileSystemModelStore(
            Options.Create(new ModelStoreOptions { RootPath = Path.Combine(context.CacheRoot, "models") }), NullLogger<FileSystemModelStore>.Instance);
        var loader = new ModelLoader(store, Options.Create(new ModelLoaderOptions()), NullLogger<ModelLoader>.Instance);
        using var image = context.Arguments.Count > 0
            ? ImageDecoder.Decode(await File.ReadAllBytesAsync(context.Arguments[0], cancellationToken).ConfigureAwait(false))
            : Scene(800, 534);
        var click = new SamPoint(image.Width * 0.3f, image.Height * 0.7f, true);
        var rows = new List<(string Model, string Step, double Ms, int Runs)>();

        using (var isnet = (IsnetModel)await loader.LoadAsync("isnet", cancellationToken).ConfigureAwait(false))
        {
            rows.Add(("isnet", "segment (stretch 1024², run, resize, threshold)", Measure(HeavyRuns, () => isnet.Segment(image, cancellationToken).Dispose()), HeavyRuns));
        }

        foreach (var (id, encodeRuns) in new[] { (DemoModelForge.SamDemoId, LightRuns), (DemoModelForge.SamIsnetId, HeavyRuns) })
        {
            using var sam = (SamModel)await loader.LoadAsync(id, cancellationToken).ConfigureAwait(false);
            rows.Add((id, "encode (preprocess + encoder)", Measure(encodeRuns, () => sam.Encode(image, cancellationToken).Dispose()), encodeRuns));
            using var embedding = sam.Encode(image, cancellationToken);
            var prompt = SamPrompt.FromPoints(click);
            rows.Add((id, "decode, 1 click, single mask", Measure(DecodeRuns, () => DisposeAll(sam.Decode(embedding, prompt, SamMaskOutput.Single, null, cancellationToken))), DecodeRuns));
            rows.Add((id, "decode, 1 click, multimask (3 masks)", Measure(DecodeRuns, () => DisposeAll(sam.Decode(embedding, prompt, SamMaskOutput.Multiple, null, cancellationToken))), DecodeRuns));
        }

        using (var lama = (LamaModel)await loader.LoadAsync(DemoModelForge.LamaDemoId, cancellationToken).ConfigureAwait(false))
        {
            using var mask = new Mask(image.Width, image.Height);
            for (var y = image.Height / 2; y < (image.Height / 2) + 96; y++)
            {
                mask.Row(y).Slice(image.Width / 2, 96).Fill(Mask.On);
            }

            rows.Add((DemoModelForge.LamaDemoId, "inpaint 96×96 hole (S = 512)", Measure(LightRuns, () => lama.Inpaint(image, mask, cancellationToken).Dispose()), LightRuns));
        }

        var reference = rows[0].Ms;
        var output = context.Output;
        output.WriteLine($"Image {image.Width}x{image.Height}; CPU execution provider, ORT default threads ({Environment.ProcessorCount} cores); one warm-up per step, then the median.");
        output.WriteLine();
        output.WriteLine("| Model | Step | Median ms | Runs | / isnet segment |");
        output.WriteLine("|---|---|---:|---:|---:|");
        foreach (var (model, step, ms, runs) in rows)
        {
            output.WriteLine($"| {model} | {step} | {ms:F1} | {runs} | {ms / reference:F3} |");
        }
    }

    private static double Measure(int runs, Action step)
    {
        step();
        var samples = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var started = Stopwatch.GetTimestamp();
            step();
            samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        return BenchContext.Median(samples);
    }

    private static void DisposeAll(IReadOnlyList<SamMaskCandidate> masks)
    {
        foreach (var mask in masks)
        {
            mask.Dispose();
        }
    }

    /// <summary>A deterministic scene: a vertical gradient, a disk and a noisy rectangle.</summary>
    private static RgbImage Scene(int width, int height)
    {
        var image = new RgbImage(width, height);
        var random = new Random(1);
        for (var y = 0; y < height; y++)
        {
            var row = image.Row(y);
            for (var x = 0; x < width; x++)
            {
                var dx = x - (width * 0.3);
                var dy = y - (height * 0.7);
                var inDisk = (dx * dx) + (dy * dy) < 120 * 120;
                var inBox = x > width * 0.6 && x < width * 0.9 && y > height * 0.2 && y < height * 0.6;
                row[x * 3] = (byte)(inDisk ? 220 : inBox ? 90 + random.Next(20) : 40);
                row[(x * 3) + 1] = (byte)(inDisk ? 180 : inBox ? 160 + random.Next(20) : 60 + (120 * y / height));
                row[(x * 3) + 2] = (byte)(inDisk ? 60 : inBox ? 70 : 160);
            }
        }

        return image;
    }
}
