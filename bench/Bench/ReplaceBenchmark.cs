using System.Diagnostics;
using Atelier.Imaging;
using Atelier.Models.Adapters;
using Atelier.Models.Forge;
using Atelier.Models.Onnx;
using Atelier.Models.Store;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Bench;

/// <summary>
/// The <c>sd-inpaint</c> pipeline's own cost, on one model (default <c>sd-inpaint-demo</c>):
/// (a) one denoising step of the pipeline (<see cref="SdInpaintModel.Step"/>: assemble the 9-channel batch, the UNet,
/// guidance, the scheduler) against the raw UNet run on the same shapes (prebuilt inputs, a second session of the same
/// file, nothing else); (b) a whole replace (<see cref="SdInpaintModel.Inpaint"/> on an 800×534 image, 20 steps) against the
/// sum of the model runs inside it (text encoder ×2, VAE encoder, UNet ×20, VAE decoder, as the run counts them).
/// Rounds alternate the two sides. Arguments: [model id] [steps].
/// </summary>
internal sealed class ReplaceBenchmark : IBenchmark
{
    private const int Rounds = 5;
    private const int StepsPerRound = 10;

    public string Name => "replace";

    public string Description => "sd-inpaint: pipeline step vs raw UNet run, whole replace vs the sum of its model runs";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var modelId = context.Arguments.Count > 0 ? context.Arguments[0] : DemoModelForge.SdInpaintDemoId;
        var steps = context.Arguments.Count > 1 ? int.Parse(context.Arguments[1], System.Globalization.CultureInfo.InvariantCulture) : 20;
        using var store = new FileSystemModelStore(
            Options.Create(new ModelStoreOptions { RootPath = Path.Combine(context.CacheRoot, "models") }), NullLogger<FileSystemModelStore>.Instance);
        var loader = new ModelLoader(store, Options.Create(new ModelLoaderOptions()), NullLogger<ModelLoader>.Instance);
        using var sd = (SdInpaintModel)await loader.LoadAsync(modelId, cancellationToken).ConfigureAwait(false);
        var entry = await store.GetAsync(modelId, cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException($"No model '{modelId}'.");
        var (rawUnet, _) = OnnxSessions.Open(entry.PathOf("unet"), new InferenceSessionOptions());
        using var unet = rawUnet;

        using var image = Scene(800, 534);
        using var mask = new Mask(image.Width, image.Height);
        for (var y = 200; y < 360; y++)
        {
            mask.Row(y).Slice(300, 200).Fill(Mask.On);
        }

        var parameters = new SdInpaintParameters("a red vase", "blurry", steps, 7.5f, 42);
        var l = sd.Size / 8;
        using var raw = RawInputs(sd, unet, l);

        // Warm-up both sides.
        using (var warm = sd.Prepare(image, mask, parameters, cancellationToken))
        {
            sd.Step(warm, cancellationToken);
        }

        RunRaw(unet, raw, cancellationToken);

        var stepSamples = new List<double>();
        var rawSamples = new List<double>();
        var wholeSamples = new List<double>();
        var modelSamples = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using (var run = sd.Prepare(image, mask, parameters with { Steps = Math.Max(StepsPerRound, steps) }, cancellationToken))
            {
                for (var i = 0; i < StepsPerRound; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    sd.Step(run, cancellationToken);
                    stepSamples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);

                    started = Stopwatch.GetTimestamp();
                    RunRaw(unet, raw, cancellationToken);
                    rawSamples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }

            var whole = Stopwatch.GetTimestamp();
            using var replace = sd.Prepare(image, mask, parameters, cancellationToken);
            while (replace.StepsDone < replace.Steps)
            {
                sd.Step(replace, cancellationToken);
            }

            sd.Finish(replace, image, cancellationToken).Dispose();
            wholeSamples.Add(Stopwatch.GetElapsedTime(whole).TotalMilliseconds);
            modelSamples.Add(Stopwatch.GetElapsedTime(0, replace.ModelTicks).TotalMilliseconds);
        }

        var step = BenchContext.Median([.. stepSamples]);
        var rawMedian = BenchContext.Median([.. rawSamples]);
        var wholeMedian = BenchContext.Median([.. wholeSamples]);
        var models = BenchContext.Median([.. modelSamples]);
        var output = context.Output;
        output.WriteLine($"Model {modelId} (S = {sd.Size}, latent {l}×{l}, UNet batch {(sd.Interface.UnetBatch?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "dynamic")}, guidance on: 2 prompts per step); "
            + $"image {image.Width}x{image.Height}, mask 200×160; CPU execution provider, ORT threads = {Environment.ProcessorCount} cores; one warm-up, "
            + $"{Rounds} rounds of {StepsPerRound} alternating step/raw pairs and one whole replace ({steps} steps); medians.");
        output.WriteLine();
        output.WriteLine("| Measure | Median ms | Samples | Ratio | Overhead ms |");
        output.WriteLine("|---|---:|---:|---:|---:|");
        output.WriteLine($"| raw UNet run (prebuilt inputs, batch 2) | {rawMedian:F2} | {rawSamples.Count} | 1.000 | |");
        output.WriteLine($"| pipeline step (batch, UNet, guidance, scheduler) | {step:F2} | {stepSamples.Count} | {step / rawMedian:F3} | {step - rawMedian:F2} |");
        output.WriteLine($"| sum of the model runs of one replace | {models:F1} | {modelSamples.Count} | 1.000 | |");
        output.WriteLine($"| whole replace (frame, encode, {steps} steps, decode, blend) | {wholeMedian:F1} | {wholeSamples.Count} | {wholeMedian / models:F3} | {wholeMedian - models:F1} |");
    }

    private sealed class Inputs(OrtValue sample, OrtValue timestep, OrtValue context) : IDisposable
    {
        public OrtValue[] Values { get; } = [sample, timestep, context];

        public void Dispose()
        {
            foreach (var value in Values)
            {
                value.Dispose();
            }
        }
    }

    /// <summary>UNet inputs of the shapes and types a guided step feeds (batch 2, or 1 for a fixed batch of 1), built once.</summary>
    private static Inputs RawInputs(SdInpaintModel sd, InferenceSession unet, int l)
    {
        var batch = sd.Interface.UnetBatch ?? 2;
        var width = (int)unet.InputMetadata["encoder_hidden_states"].Dimensions[2] is var w && w > 0 ? w : 8;
        var random = new Random(1);
        var sample = Floats(sd.Interface.SampleType, batch * 9 * l * l, random, [batch, 9, l, l]);
        var context = Floats(sd.Interface.ContextType, batch * sd.Tokenizer.Length * width, random, [batch, sd.Tokenizer.Length, width]);
        long[] shape = sd.Interface.TimestepRank == 0 ? [] : [sd.Interface.TimestepLength ?? batch];
        var count = sd.Interface.TimestepRank == 0 ? 1 : (int)shape[0];
        var timestep = sd.Interface.TimestepType switch
        {
            TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(501L, count).ToArray(), shape),
            TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(501, count).ToArray(), shape),
            var type => Floats(type, count, null, shape),
        };
        return new Inputs(sample, timestep, context);
    }

    private static OrtValue Floats(TensorElementType type, int count, Random? random, long[] shape)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = random is null ? 501f : (float)((random.NextDouble() * 2) - 1);
        }

        return type == TensorElementType.Float16
            ? OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(values, static v => (Float16)v), shape)
            : OrtValue.CreateTensorValueFromMemory(values, shape);
    }

    private static void RunRaw(InferenceSession unet, Inputs inputs, CancellationToken cancellationToken)
    {
        using var outputs = OnnxSessions.Run(unet, ["sample", "timestep", "encoder_hidden_states"], inputs.Values, ["out_sample"], cancellationToken);
    }

    /// <summary>A deterministic scene: a vertical gradient with a disk.</summary>
    private static RgbImage Scene(int width, int height)
    {
        var image = new RgbImage(width, height);
        for (var y = 0; y < height; y++)
        {
            var row = image.Row(y);
            for (var x = 0; x < width; x++)
            {
                var dx = x - 400;
                var dy = y - 280;
                var inDisk = (dx * dx) + (dy * dy) < 70 * 70;
                row[x * 3] = (byte)(inDisk ? 220 : 40);
                row[(x * 3) + 1] = (byte)(inDisk ? 180 : 60 + (120 * y / height));
                row[(x * 3) + 2] = (byte)(inDisk ? 60 : 160);
            }
        }

        return image;
    }
}
