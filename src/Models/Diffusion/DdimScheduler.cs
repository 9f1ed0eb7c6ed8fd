namespace Atelier.Models.Diffusion;

/// <summary>
/// DDIM with η = 0 (Song et al.; diffusers' <c>DDIMScheduler</c> semantics). Timesteps (default spacing
/// <c>leading</c>): <c>t_i = (n − 1 − i)·⌊T/n⌋ + steps_offset</c>; <c>trailing</c>: <c>round(T − i·T/n) − 1</c>;
/// <c>linspace</c>: <c>round(linspace(T − 1, 0, n))</c>. A step from t to <c>t − ⌊T/n⌋</c>:
/// x₀ and ε from the output (per prediction type; x₀ clipped when <c>clip_sample</c>), then
/// <c>x_prev = √ᾱ_prev·x₀ + √(1 − ᾱ_prev)·ε</c>, where ᾱ_prev below t = 0 is 1 (<c>set_alpha_to_one</c>) or ᾱ₀.
/// </summary>
public sealed class DdimScheduler : DiffusionScheduler
{
    private readonly double[] _timesteps;
    private readonly int _stride;

    public DdimScheduler(SchedulerConfig config, int steps) : base(config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var n = config.TrainTimesteps;
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(steps, n);
        _stride = n / steps;
        _timesteps = new double[steps];
        for (var i = 0; i < steps; i++)
        {
            _timesteps[i] = (config.TimestepSpacing ?? "leading") switch
            {
                "trailing" => Math.Round(n - (i * (double)n / steps)) - 1,
                "linspace" => Math.Round((n - 1) * (steps == 1 ? 0 : (double)(steps - 1 - i) / (steps - 1)), MidpointRounding.ToEven),
                _ => ((steps - 1 - i) * _stride) + config.StepsOffset,
            };
        }
    }

    public override IReadOnlyList<double> Timesteps => _timesteps;

    public override double InitNoiseSigma => 1.0;

    public override double InputScale(int index) => 1.0;

    public override void Step(int index, ReadOnlySpan<float> modelOutput, Span<float> sample, GaussianNoise noise)
    {
        var t = (int)_timesteps[index];
        var previous = t - _stride;
        var alphaBar = AlphasCumprod[Math.Clamp(t, 0, AlphasCumprod.Count - 1)];
        var alphaBarPrevious = previous >= 0 ? AlphasCumprod[previous] : Config.SetAlphaToOne ? 1.0 : AlphasCumprod[0];
        var a = Math.Sqrt(alphaBarPrevious);
        var b = Math.Sqrt(1 - alphaBarPrevious);
        var clip = Config.ClipSample;
        var range = Config.ClipSampleRange;
        for (var i = 0; i < sample.Length; i++)
        {
            var (x0, eps) = Split(Config.Prediction, modelOutput[i], sample[i], alphaBar);
            if (clip)
            {
                x0 = Math.Clamp(x0, -range, range);
                eps = (sample[i] - (Math.Sqrt(alphaBar) * x0)) / Math.Sqrt(1 - alphaBar);
            }

            sample[i] = (float)((a * x0) + (b * eps));
        }
    }
}
