using Atelier.Imaging;
using Atelier.Models.Diffusion;

namespace Atelier.Models.Adapters;

/// <summary>What a replace asks for.</summary>
/// <param name="Prompt">What to paint into the masked region.</param>
/// <param name="NegativePrompt">What to steer away from (the unconditional branch of guidance); null: the empty prompt.</param>
/// <param name="Steps">Denoising steps.</param>
/// <param name="Guidance">Classifier-free guidance scale; ≤ 1 runs the prompt alone (no unconditional branch).</param>
/// <param name="Seed">Seed of the initial latents (and of Euler ancestral's per-step noise).</param>
public sealed record SdInpaintParameters(string Prompt, string? NegativePrompt, int Steps, float Guidance, long Seed);

/// <summary>
/// One replace in progress (see <see cref="SdInpaintModel.Prepare"/>): the framed region, the text embeddings, the
/// masked-image latents, the current latents and the scheduler. <see cref="SdInpaintModel.Step"/> advances it one step,
/// <see cref="SdInpaintModel.Finish"/> decodes and pastes it back. Owned by one caller; not thread-safe.
/// </summary>
public sealed class SdInpaintRun : IDisposable
{
    internal SdInpaintRun(
        MaskBox window, Mask mask, int size, float[] context, int batch, float[] maskLatent, float[] maskedLatents,
        float[] latents, DiffusionScheduler scheduler, GaussianNoise noise, float guidance)
    {
        Window = window;
        Mask = mask;
        Size = size;
        Context = context;
        Batch = batch;
        MaskLatent = maskLatent;
        MaskedLatents = maskedLatents;
        Latents = latents;
        Scheduler = scheduler;
        Noise = noise;
        Guidance = guidance;
    }

    /// <summary>The context region of the original image the model sees.</summary>
    public MaskBox Window { get; }

    /// <summary>Steps in total.</summary>
    public int Steps => Scheduler.Timesteps.Count;

    /// <summary>Steps done so far.</summary>
    public int StepsDone { get; internal set; }

    /// <summary>Stopwatch ticks spent inside UNet runs (for the benchmark: the loop's own overhead is the rest of a step).</summary>
    public long UnetTicks { get; internal set; }

    /// <summary>Stopwatch ticks spent inside any model run of this replace (text encoder, VAE encoder, UNet, VAE decoder).</summary>
    public long ModelTicks { get; internal set; }

    internal Mask Mask { get; }

    internal int Size { get; }

    internal float[] Context { get; }

    internal int Batch { get; }

    internal float[] MaskLatent { get; }

    internal float[] MaskedLatents { get; }

    internal float[] Latents { get; }

    internal DiffusionScheduler Scheduler { get; }

    internal GaussianNoise Noise { get; }

    internal float Guidance { get; }

    /// <summary>The UNet's input batch, reused by every step.</summary>
    internal float[]? SampleBuffer { get; set; }

    /// <summary>The UNet's output, reused by every step.</summary>
    internal float[]? OutputBuffer { get; set; }

    public void Dispose() => Mask.Dispose();
}
