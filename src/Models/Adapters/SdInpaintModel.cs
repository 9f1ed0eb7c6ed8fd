using System.Diagnostics;
using Atelier.Imaging;
using Atelier.Models.Diffusion;
using Atelier.Models.Manifest;
using Atelier.Models.Onnx;
using Atelier.Models.Store;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Models.Adapters;

/// <summary>
/// The <c>sd-inpaint</c> adapter: Stable Diffusion inpainting in the diffusers/optimum ONNX layout (text encoder, 9-channel
/// UNet, VAE encoder and decoder, CLIP tokenizer, scheduler config). A replace runs in three parts so that a caller can
/// report progress, cancel between steps and give other work the device between UNet runs:
/// <list type="number">
/// <item><see cref="Prepare"/>: a context region around the mask's bounding box (square where the image allows) is
/// resized to the model resolution S; the image in [−1, 1] with the masked pixels zeroed → VAE encoder → latents × scale;
/// the mask (any coverage) at S/8; prompt and negative prompt → text encoder; seeded Gaussian latents × the scheduler's
/// initial sigma.</item>
/// <item><see cref="Step"/>, once per timestep: the UNet on <c>[scaled latents, mask, masked-image latents]</c> for the
/// negative and the positive prompt, guidance <c>u + g·(c − u)</c>, the scheduler's step.</item>
/// <item><see cref="Finish"/>: latents / scale → VAE decoder → resized back to the region and blended in only inside
/// the mask, with a feather that ramps up from its edge; every pixel outside the mask is bit-identical.</item>
/// </list>
/// </summary>
public sealed class SdInpaintModel : LoadedModel
{
    private const int LatentChannels = 4;

    private readonly InferenceSession _textEncoder;
    private readonly InferenceSession _unet;
    private readonly InferenceSession _vaeEncoder;
    private readonly InferenceSession _vaeDecoder;
    private readonly SdInpaintOptions _options;
    private readonly SdInpaintSettings _settings;

    internal SdInpaintModel(
        ModelEntry entry, ExecutionProvider executionProvider, InferenceSession textEncoder, InferenceSession unet,
        InferenceSession vaeEncoder, InferenceSession vaeDecoder, SdInpaintOptions options)
        : base(entry, executionProvider, ("text_encoder", textEncoder), ("unet", unet), ("vae_encoder", vaeEncoder), ("vae_decoder", vaeDecoder))
    {
        options.Validate();
        _textEncoder = textEncoder;
        _unet = unet;
        _vaeEncoder = vaeEncoder;
        _vaeDecoder = vaeDecoder;
        _options = options;
        _settings = entry.Manifest.SdInpaint ?? new SdInpaintSettings();
        Interface = SdInpaintInterface.Read(textEncoder, unet, vaeEncoder, vaeDecoder, entry.Id);
        (Tokenizer, SchedulerConfig) = ReadSupportFiles(entry, _settings, Interface);
        Size = Interface.LatentSize is { } latent ? latent * 8 : _settings.Size;
    }

    /// <summary>What the export declares (names, types, fixed sizes).</summary>
    public SdInpaintInterface Interface { get; }

    public ClipTokenizer Tokenizer { get; }

    public SchedulerConfig SchedulerConfig { get; }

    /// <summary>Model resolution S in pixels.</summary>
    public int Size { get; }

    /// <summary>Most steps a run may take (the training timesteps).</summary>
    public int MaxSteps => SchedulerConfig.TrainTimesteps;

    /// <summary>
    /// Registration's check of an <c>sd-inpaint</c> folder: opens the four ONNX files (CPU, no graph optimisation) to read
    /// their names, ranks and types, and parses the tokenizer and scheduler files.
    /// </summary>
    /// <exception cref="ModelManifestException">The message names the file and what is wrong.</exception>
    internal static void CheckFolder(ModelEntry entry)
    {
        var sessions = new List<InferenceSession>(4);
        try
        {
            foreach (var role in ModelLoader.SdInpaintRoles)
            {
                var file = entry.Manifest.Files[role].Path;
                try
                {
                    sessions.Add(OnnxSessions.Open(entry.PathOf(role), new InferenceSessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL }).Session);
                }
                catch (OnnxRuntimeException e)
                {
                    throw new ModelManifestException($"Model '{entry.Id}': {file}: ONNX Runtime cannot load it: {e.Message.Replace(entry.PathOf(role), file, StringComparison.Ordinal)}", e);
                }
            }

            var contract = SdInpaintInterface.Read(sessions[0], sessions[1], sessions[2], sessions[3], entry.Id);
            ReadSupportFiles(entry, entry.Manifest.SdInpaint ?? new SdInpaintSettings(), contract);
        }
        finally
        {
            foreach (var session in sessions)
            {
                session.Dispose();
            }
        }
    }

    /// <summary>Reads the tokenizer and scheduler files of a model folder and checks them against the interface.</summary>
    /// <exception cref="ModelManifestException">A file is malformed; the message names it.</exception>
    internal static (ClipTokenizer Tokenizer, SchedulerConfig Scheduler) ReadSupportFiles(ModelEntry entry, SdInpaintSettings settings, SdInpaintInterface contract)
    {
        ClipTokenizer tokenizer;
        try
        {
            tokenizer = ClipTokenizer.Load(entry.PathOf("vocab"), entry.PathOf("merges"), settings.PadToken, contract.SequenceLength ?? ClipTokenizer.DefaultLength);
        }
        catch (FormatException e)
        {
            throw new ModelManifestException($"Model '{entry.Id}': tokenizer: {e.Message}", e);
        }

        try
        {
            return (tokenizer, SchedulerConfig.Parse(File.ReadAllBytes(entry.PathOf("scheduler"))));
        }
        catch (FormatException e)
        {
            throw new ModelManifestException($"Model '{entry.Id}': {e.Message}", e);
        }
    }

    /// <summary>Everything up to the loop: framing, VAE encoding, text encoding, initial noise. The caller disposes the run.</summary>
    /// <param name="mask">Non-zero = replace; already dilated as the caller wants. Must not be empty.</param>
    public SdInpaintRun Prepare(RgbImage image, Mask mask, SdInpaintParameters parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(parameters);
        if (mask.Width != image.Width || mask.Height != image.Height)
        {
            throw new ArgumentException($"The mask is {mask.Width}x{mask.Height}; the image is {image.Width}x{image.Height}.", nameof(mask));
        }

        if (parameters.Steps < 1 || parameters.Steps > MaxSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(parameters), $"Steps must be in 1..{MaxSteps}.");
        }

        var box = MaskOps.BoundingBox(mask) ?? throw new ArgumentException("The mask is empty.", nameof(mask));
        var window = ContextWindow(box, image.Width, image.Height);
        var s = Size;
        var l = s / 8;
        var ticks = 0L;

        // The region at S×S, in [−1, 1], masked pixels zeroed (diffusers' image · (mask < 0.5)), and the mask at S/8.
        var crop = Crop(image, mask, window, out var cropMask);
        var pixels = new float[3 * s * s];
        var maskLatent = new float[l * l];
        using (crop)
        using (cropMask)
        {
            using var resized = ImageResize.Resize(crop, s, s);
            using var maskResized = ImageResize.Resize(cropMask, s, s);
            var rgb = resized.Pixels;
            var m = maskResized.Data;
            var plane = s * s;
            for (var i = 0; i < plane; i++)
            {
                var keep = m[i] < 128;
                for (var c = 0; c < 3; c++)
                {
                    pixels[(c * plane) + i] = keep ? (rgb[(i * 3) + c] / 127.5f) - 1f : 0f;
                }

                if (!keep)
                {
                    maskLatent[((i / s / 8) * l) + (i % s / 8)] = 1f;
                }
            }
        }

        // Masked image → latents × scale.
        var maskedLatents = new float[LatentChannels * l * l];
        var started = Stopwatch.GetTimestamp();
        using (var input = TensorData.Create(Interface.VaeEncoderType, pixels, [1, 3, s, s]))
        using (var outputs = OnnxSessions.Run(_vaeEncoder, ["sample"], [input], [Interface.VaeEncoderOutput], cancellationToken))
        {
            var shape = outputs[0].GetTensorTypeAndShape().Shape;
            var all = new float[outputs[0].GetTensorTypeAndShape().ElementCount];
            TensorData.Read(outputs[0], all);
            if (shape.Length != 4 || shape[2] != l || shape[3] != l || shape[1] < LatentChannels)
            {
                throw new InvalidOperationException($"The VAE encoder returned [{string.Join(',', shape)}], expected [1,{LatentChannels} or {2 * LatentChannels},{l},{l}].");
            }

            // latent_parameters carries the mean in its first 4 channels: use the mean (deterministic).
            var scale = (float)_settings.LatentScale;
            for (var i = 0; i < maskedLatents.Length; i++)
            {
                maskedLatents[i] = all[i] * scale;
            }
        }

        ticks += Stopwatch.GetTimestamp() - started;

        // Text: [negative, positive] with guidance, the positive alone without.
        var guided = parameters.Guidance > 1f;
        var prompts = guided ? new[] { parameters.NegativePrompt ?? string.Empty, parameters.Prompt } : [parameters.Prompt];
        float[]? context = null;
        var perPrompt = 0;
        for (var p = 0; p < prompts.Length; p++)
        {
            started = Stopwatch.GetTimestamp();
            var hidden = EncodeText(prompts[p], cancellationToken);
            ticks += Stopwatch.GetTimestamp() - started;
            perPrompt = hidden.Length;
            context ??= new float[perPrompt * prompts.Length];
            hidden.CopyTo(context, p * perPrompt);
        }

        var scheduler = DiffusionScheduler.Create(_settings.Scheduler, SchedulerConfig, parameters.Steps);
        var noise = new GaussianNoise(parameters.Seed);
        var latents = new float[LatentChannels * l * l];
        noise.Fill(latents, scheduler.InitNoiseSigma);
        return new SdInpaintRun(window, Copy(mask, window), s, context!, prompts.Length, maskLatent, maskedLatents, latents, scheduler, noise, parameters.Guidance)
        {
            ModelTicks = ticks,
        };
    }

    /// <summary>One denoising step: the UNet (both guidance branches), guidance, the scheduler.</summary>
    public void Step(SdInpaintRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.StepsDone >= run.Steps)
        {
            throw new InvalidOperationException("The run has done all its steps.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var index = run.StepsDone;
        var l = run.Size / 8;
        var plane = l * l;
        var perItem = 9 * plane;
        var batch = run.Batch;

        // [x·scale, mask, masked latents] per batch item (the same sample for both prompts).
        var sample = run.SampleBuffer ??= new float[batch * perItem];
        var inputScale = (float)run.Scheduler.InputScale(index);
        for (var i = 0; i < LatentChannels * plane; i++)
        {
            sample[i] = run.Latents[i] * inputScale;
        }

        run.MaskLatent.CopyTo(sample, LatentChannels * plane);
        run.MaskedLatents.CopyTo(sample, (LatentChannels + 1) * plane);
        for (var b = 1; b < batch; b++)
        {
            Array.Copy(sample, 0, sample, b * perItem, perItem);
        }

        var output = run.OutputBuffer ??= new float[batch * LatentChannels * plane];
        var started = Stopwatch.GetTimestamp();
        RunUnet(sample, run.Context, batch, l, run.Scheduler.Timesteps[index], output, cancellationToken);
        var elapsed = Stopwatch.GetTimestamp() - started;
        run.UnetTicks += elapsed;
        run.ModelTicks += elapsed;

        ReadOnlySpan<float> guided = output.AsSpan(0, LatentChannels * plane);
        if (batch == 2)
        {
            var g = run.Guidance;
            var cond = output.AsSpan(LatentChannels * plane);
            var combined = output.AsSpan(0, LatentChannels * plane);
            for (var i = 0; i < combined.Length; i++)
            {
                combined[i] += g * (cond[i] - combined[i]);
            }

            guided = combined;
        }

        run.Scheduler.Step(index, guided, run.Latents, run.Noise);
        run.StepsDone++;
    }

    /// <summary>Decodes the latents and blends the result into a copy of <paramref name="image"/> inside the mask only.</summary>
    public RgbImage Finish(SdInpaintRun run, RgbImage image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(image);
        var s = run.Size;
        var l = s / 8;
        var latents = new float[run.Latents.Length];
        var scale = (float)(1 / _settings.LatentScale);
        for (var i = 0; i < latents.Length; i++)
        {
            latents[i] = run.Latents[i] * scale;
        }

        var decoded = new float[3 * s * s];
        var started = Stopwatch.GetTimestamp();
        using (var input = TensorData.Create(Interface.VaeDecoderType, latents, [1, LatentChannels, l, l]))
        using (var outputs = OnnxSessions.Run(_vaeDecoder, ["latent_sample"], [input], ["sample"], cancellationToken))
        {
            TensorData.Read(outputs[0], decoded);
        }

        run.ModelTicks += Stopwatch.GetTimestamp() - started;
        using var generated = new RgbImage(s, s);
        var rgb = generated.Pixels;
        var plane = s * s;
        for (var i = 0; i < plane; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                rgb[(i * 3) + c] = (byte)Math.Clamp(((decoded[(c * plane) + i] + 1f) * 127.5f) + 0.5f, 0f, 255f);
            }
        }

        var window = run.Window;
        using var back = ImageResize.Resize(generated, window.Width, window.Height);
        var alpha = Feather(run.Mask, _options.FeatherRadius);
        var result = new RgbImage(image.Width, image.Height);
        image.Pixels.CopyTo(result.Pixels);
        for (var y = 0; y < window.Height; y++)
        {
            var source = back.Row(y);
            var target = result.Row(window.Y + y).Slice(window.X * 3, window.Width * 3);
            for (var x = 0; x < window.Width; x++)
            {
                var a = alpha[(y * window.Width) + x];
                if (a <= 0f)
                {
                    continue;
                }

                for (var c = 0; c < 3; c++)
                {
                    var i = (x * 3) + c;
                    target[i] = (byte)Math.Clamp((target[i] + ((source[i] - target[i]) * a)) + 0.5f, 0f, 255f);
                }
            }
        }

        return result;
    }

    /// <summary>A whole replace in one call (prepare, every step, finish); <paramref name="progress"/> gets (steps done, steps).</summary>
    public RgbImage Inpaint(RgbImage image, Mask mask, SdInpaintParameters parameters, Action<int, int>? progress = null, CancellationToken cancellationToken = default)
    {
        using var run = Prepare(image, mask, parameters, cancellationToken);
        while (run.StepsDone < run.Steps)
        {
            Step(run, cancellationToken);
            progress?.Invoke(run.StepsDone, run.Steps);
        }

        return Finish(run, image, cancellationToken);
    }

    private float[] EncodeText(string text, CancellationToken cancellationToken)
    {
        var ids = Tokenizer.Encode(text);
        long[] shape = [1, ids.Length];
        using var input = Interface.InputIdsType == TensorElementType.Int64
            ? OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, Array.ConvertAll(ids, static i => (long)i).AsMemory(), shape)
            : OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, ids.AsMemory(), shape);
        using var outputs = OnnxSessions.Run(_textEncoder, ["input_ids"], [input], ["last_hidden_state"], cancellationToken);
        var hidden = new float[outputs[0].GetTensorTypeAndShape().ElementCount];
        TensorData.Read(outputs[0], hidden);
        return hidden;
    }

    /// <summary>The UNet on <paramref name="batch"/> items, in as many runs as its (fixed or dynamic) batch size needs.</summary>
    private void RunUnet(float[] sample, float[] context, int batch, int l, double timestep, float[] output, CancellationToken cancellationToken)
    {
        var perCall = Interface.UnetBatch ?? batch;
        if (perCall != batch && perCall != 1)
        {
            // A fixed batch of 2 with one prompt: run the item twice, keep the first answer.
            var doubledSample = new float[perCall * (sample.Length / batch)];
            var doubledContext = new float[perCall * (context.Length / batch)];
            for (var b = 0; b < perCall; b++)
            {
                sample.CopyTo(doubledSample, b * sample.Length);
                context.CopyTo(doubledContext, b * context.Length);
            }

            var doubledOutput = new float[perCall * output.Length];
            RunUnetOnce(doubledSample, doubledContext, perCall, l, timestep, doubledOutput, cancellationToken);
            doubledOutput.AsSpan(0, output.Length).CopyTo(output);
            return;
        }

        if (perCall == batch)
        {
            RunUnetOnce(sample, context, batch, l, timestep, output, cancellationToken);
            return;
        }

        var sampleItem = sample.Length / batch;
        var contextItem = context.Length / batch;
        var outputItem = output.Length / batch;
        for (var b = 0; b < batch; b++)
        {
            var itemOutput = new float[outputItem];
            RunUnetOnce(sample[(b * sampleItem)..((b + 1) * sampleItem)], context[(b * contextItem)..((b + 1) * contextItem)], 1, l, timestep, itemOutput, cancellationToken);
            itemOutput.CopyTo(output, b * outputItem);
        }
    }

    private void RunUnetOnce(float[] sample, float[] context, int batch, int l, double timestep, float[] output, CancellationToken cancellationToken)
    {
        var tokens = context.Length / batch;
        var width = tokens / Tokenizer.Length;
        using var sampleValue = TensorData.Create(Interface.SampleType, sample, [batch, 9, l, l]);
        using var timestepValue = TensorData.Timestep(Interface.TimestepType, Interface.TimestepRank, Interface.TimestepLength ?? batch, timestep);
        using var contextValue = TensorData.Create(Interface.ContextType, context, [batch, Tokenizer.Length, width]);
        using var outputs = OnnxSessions.Run(
            _unet, ["sample", "timestep", "encoder_hidden_states"], [sampleValue, timestepValue, contextValue], ["out_sample"], cancellationToken);
        TensorData.Read(outputs[0], output);
    }

    /// <summary>A region of side ≈ max(box side × factor, min size) centred on the box, square where the image allows, inside it.</summary>
    private MaskBox ContextWindow(MaskBox box, int width, int height)
    {
        var side = (int)Math.Ceiling(Math.Max(Math.Max(box.Width, box.Height) * _options.ContextFactor, _options.MinContextSize));
        var (x, w) = Span(box.X, box.Width, side, width);
        var (y, h) = Span(box.Y, box.Height, side, height);
        return new MaskBox(x, y, w, h);

        static (int Start, int Length) Span(int start, int length, int side, int limit)
        {
            var size = Math.Min(Math.Max(side, length), limit);
            var begin = Math.Clamp(start + (length / 2) - (size / 2), 0, limit - size);
            return (begin, size);
        }
    }

    private static RgbImage Crop(RgbImage image, Mask mask, MaskBox window, out Mask cropMask)
    {
        cropMask = Copy(mask, window);
        return ImageResize.Crop(image, window.X, window.Y, window.Width, window.Height);
    }

    private static Mask Copy(Mask mask, MaskBox window)
    {
        var copy = new Mask(window.Width, window.Height, clear: false);
        for (var y = 0; y < window.Height; y++)
        {
            mask.Row(window.Y + y).Slice(window.X, window.Width).CopyTo(copy.Row(y));
        }

        return copy;
    }

    /// <summary>
    /// Blend weights: inside the mask <c>2f − 1</c> clamped to 0..1, f the share of mask pixels in the (2r+1)² box around
    /// the pixel: along a straight edge a linear ramp from 1/(2r+1) at the edge to 1 at r pixels in; outside the mask 0.
    /// Separable running sums (O(1) per pixel); pixels outside the region count as not masked.
    /// </summary>
    internal static float[] Feather(Mask mask, int radius)
    {
        int w = mask.Width, h = mask.Height;
        var alpha = new float[w * h];
        var data = mask.Data;
        if (radius == 0)
        {
            for (var i = 0; i < alpha.Length; i++)
            {
                alpha[i] = data[i] != 0 ? 1f : 0f;
            }

            return alpha;
        }

        var rows = new int[w * h];
        for (var y = 0; y < h; y++)
        {
            var sum = 0;
            for (var x = 0; x < Math.Min(radius, w); x++)
            {
                sum += data[(y * w) + x] != 0 ? 1 : 0;
            }

            for (var x = 0; x < w; x++)
            {
                if (x + radius < w && data[(y * w) + x + radius] != 0)
                {
                    sum++;
                }

                rows[(y * w) + x] = sum;
                if (x - radius >= 0 && data[(y * w) + x - radius] != 0)
                {
                    sum--;
                }
            }
        }

        float full = (2 * radius) + 1;
        full *= full;
        for (var x = 0; x < w; x++)
        {
            var sum = 0;
            for (var y = 0; y < Math.Min(radius, h); y++)
            {
                sum += rows[(y * w) + x];
            }

            for (var y = 0; y < h; y++)
            {
                if (y + radius < h)
                {
                    sum += rows[((y + radius) * w) + x];
                }

                var i = (y * w) + x;
                alpha[i] = data[i] != 0 ? Math.Clamp((2f * sum / full) - 1f, 0f, 1f) : 0f;
                if (y - radius >= 0)
                {
                    sum -= rows[((y - radius) * w) + x];
                }
            }
        }

        return alpha;
    }
}
