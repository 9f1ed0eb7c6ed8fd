namespace Atelier.Models.Diffusion;

/// <summary>
/// A sampler of the denoising loop, configured for one run: the timesteps to visit, how to scale the UNet's input
/// and the step from x_t to the previous sample given the model output. One instance per run (it keeps the step
/// index); not thread-safe.
/// </summary>
public abstract class DiffusionScheduler
{
    private protected DiffusionScheduler(SchedulerConfig config)
    {
        Config = config;
        AlphasCumprod = config.AlphasCumprod();
    }

    public SchedulerConfig Config { get; }

    /// <summary>ᾱ_t of the training schedule.</summary>
    public IReadOnlyList<double> AlphasCumprod { get; }

    /// <summary>The timesteps to visit, first (noisiest) first. Fractional for Euler's <c>linspace</c> spacing.</summary>
    public abstract IReadOnlyList<double> Timesteps { get; }

    /// <summary>Factor of the initial Gaussian noise.</summary>
    public abstract double InitNoiseSigma { get; }

    /// <summary>Factor the sample is multiplied by before the UNet sees it at step <paramref name="index"/>.</summary>
    public abstract double InputScale(int index);

    /// <summary>
    /// One step at <paramref name="index"/>: <paramref name="sample"/> (x_t) becomes the previous sample in place, from
    /// <paramref name="modelOutput"/> (the guided prediction). <paramref name="noise"/> supplies fresh noise for
    /// ancestral samplers.
    /// </summary>
    public abstract void Step(int index, ReadOnlySpan<float> modelOutput, Span<float> sample, GaussianNoise noise);

    /// <summary>Creates the sampler the settings name (auto: from the config's class name) for <paramref name="steps"/> steps.</summary>
    public static DiffusionScheduler Create(Manifest.SdScheduler kind, SchedulerConfig config, int steps) =>
        (kind == Manifest.SdScheduler.Auto
            ? config.ClassName == "EulerAncestralDiscreteScheduler" ? Manifest.SdScheduler.EulerAncestral : Manifest.SdScheduler.Ddim
            : kind) switch
        {
            Manifest.SdScheduler.EulerAncestral => new EulerAncestralScheduler(config, steps),
            _ => new DdimScheduler(config, steps),
        };

    /// <summary>x₀ and ε from a model output at ᾱ, per the prediction type.</summary>
    private protected static (double X0, double Eps) Split(PredictionType type, double output, double sample, double alphaBar)
    {
        var a = Math.Sqrt(alphaBar);
        var b = Math.Sqrt(1 - alphaBar);
        return type switch
        {
            PredictionType.Epsilon => ((sample - (b * output)) / a, output),
            PredictionType.VPrediction => ((a * sample) - (b * output), (a * output) + (b * sample)),
            _ => (output, (sample - (a * output)) / b),
        };
    }
}
