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
/// (dilate, crop, letterbox, run, composite), ISNet segment. Steps are interleaved round by round;
/// ratios are against the ISNet segment.
/// Arguments: [image path] (default: a generated 800×534 scene).
/// </summary>
internal sealed class ModelsBenchmark : IBenchmark
{
    private const int Rounds = 5;

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
        var prompt = SamPrompt.FromPoints(new SamPoint(image.Width * 0.3f, image.Height * 0.7f, true));
        using var mask = new Mask(image.Width, image.Height);
        for (var y = image.Height / 2; y < (image.Height / 2) + 96; y++)
        {
            mask.Row(y).Slice(image.Width / 2, 96).Fill(Mask.On);
        }

        using var isnet = (IsnetModel)await loader.LoadAsync("isnet", cancellationToken).ConfigureAwait(false);
        using var samDemo = (SamModel)await loader.LoadAsync(DemoModelForge.SamDemoId, cancellationToken).ConfigureAwait(false);
        using var samIsnet = (SamModel)await loader.LoadAsync(DemoModelForge.SamIsnetId, cancellationToken).ConfigureAwait(false);
        using var lama = (LamaModel)await loader.LoadAsync(DemoModelForge.LamaDemoId, cancellationToken).ConfigureAwait(false);
        using var demoEmbedding = samDemo.Encode(image, cancellationToken);
        using var isnetEmbedding = samIsnet.Encode(image, cancellationToken);

        // Steps run interleaved, round after round, so load from elsewhere on the machine hits them alike.
        var steps = new List<(string Model, string Step, int PerRound, Action Run)>
        {
            ("isnet", "segment (stretch 1024², run, resize, threshold)", 1, () => isnet.Segment(image, cancellationToken).Dispose()),
            (DemoModelForge.SamIsnetId, "encode (preprocess + encoder)", 1, () => samIsnet.Encode(image, cancellationToken).Dispose()),
            (DemoModelForge.SamIsnetId, "decode, 1 click, single mask", 6, () => DisposeAll(samIsnet.Decode(isnetEmbedding, prompt, SamMaskOutput.Single, null, cancellationToken))),
            (DemoModelForge.SamIsnetId, "decode, 1 click, multimask (3 masks)", 6, () => DisposeAll(samIsnet.Decode(isnetEmbedding, prompt, SamMaskOutput.Multiple, null, cancellationToken))),
            (DemoModelForge.SamDemoId, "encode (preprocess + encoder)", 3, () => samDemo.Encode(image, cancellationToken).Dispose()),
            (DemoModelForge.SamDemoId, "decode, 1 click, single mask", 6, () => DisposeAll(samDemo.Decode(demoEmbedding, prompt, SamMaskOutput.Single, null, cancellationToken))),
            (DemoModelForge.SamDemoId, "decode, 1 click, multimask (3 masks)", 6, () => DisposeAll(samDemo.Decode(demoEmbedding, prompt, SamMaskOutput.Multiple, null, cancellationToken))),
            (DemoModelForge.LamaDemoId, "inpaint 96×96 hole (S = 512)", 3, () => lama.Inpaint(image, mask, cancellationToken).Dispose()),
        };
        var samples = new List<double>[steps.Count];
        for (var i = 0; i < steps.Count; i++)
        {
            samples[i] = [];
            steps[i].Run(); // warm-up
        }

        for (var round = 0; round < Rounds; round++)
        {
            for (var i = 0; i < steps.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                for (var run = 0; run < steps[i].PerRound; run++)
                {
                    var started = Stopwatch.GetTimestamp();
                    steps[i].Run();
                    samples[i].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
        }

        var reference = BenchContext.Median([.. samples[0]]);
        var output = context.Output;
        output.WriteLine($"Image {image.Width}x{image.Height}; CPU execution provider, ORT default threads ({Environment.ProcessorCount} cores); one warm-up per step, then {Rounds} interleaved rounds; medians.");
        output.WriteLine();
        output.WriteLine("| Model | Step | Median ms | Runs | / isnet segment |");
        output.WriteLine("|---|---|---:|---:|---:|");
        for (var i = 0; i < steps.Count; i++)
        {
            var median = BenchContext.Median([.. samples[i]]);
            output.WriteLine($"| {steps[i].Model} | {steps[i].Step} | {median:F1} | {samples[i].Count} | {median / reference:F3} |");
        }
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
