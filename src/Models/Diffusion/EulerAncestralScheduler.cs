namespace Atelier.Models.Diffusion;

/// <summary>
/// Euler ancestral (Karras et al.'s ancestral Euler; diffusers' <c>EulerAncestralDiscreteScheduler</c> semantics).
/// σ(t) = √((1 − ᾱ_t)/ᾱ_t), linearly interpolated between training timesteps; timesteps (default spacing
/// <c>linspace</c>): <c>linspace(T − 1, 0, n)</c>; <c>leading</c>: <c>(n − 1 − i)·⌊T/n⌋ + steps_offset</c>;
/// <c>trailing</c>: <c>round(T − i·T/n) − 1</c>; σ_n = 0. The UNet sees <c>x / √(σ² + 1)</c>. A step from σ to σ_next:
/// x₀ from the output (ε: <c>x − σ·ε</c>; v: <c>−σ/√(σ²+1)·v + x/(σ²+1)</c>),
/// <c>σ_up = √(σ_next²·(σ² − σ_next²)/σ²)</c>, <c>σ_down = √(σ_next² − σ_up²)</c>,
/// <c>x ← x + (x − x₀)/σ·(σ_down − σ) + σ_up·z</c> with z fresh seeded noise.
/// </summary>
public sealed class EulerAncestralScheduler : DiffusionScheduler
{
    private readonly double[] _timesteps;
    private readonly double[] _sigmas;

    public EulerAncestralScheduler(SchedulerConfig config, int steps) : base(config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var n = config.TrainTimesteps;
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(steps, n);
        var stride = n / steps;
        _timesteps = new double[steps];
        _sigmas = new double[steps + 1];
        for (var i = 0; i < steps; i++)
        {
            _timesteps[i] = (config.TimestepSpacing ?? "linspace") switch
            {
                "leading" => ((steps - 1 - i) * stride) + config.StepsOffset,
                "trailing" => Math.Round(n - (i * (double)n / steps)) - 1,
                _ => (n - 1) * (steps == 1 ? 0 : (double)(steps - 1 - i) / (steps - 1)),
            };
            _sigmas[i] = SigmaAt(_timesteps[i]);
        }

        _sigmas[steps] = 0;
        var max = 0.0;
        foreach (var sigma in _sigmas)
        {
            max = Math.Max(max, sigma);
        }

        InitNoiseSigma = (config.TimestepSpacing ?? "linspace") is "linspace" or "trailing" ? max : Math.Sqrt((max * max) + 1);
    }

    public override IReadOnlyList<double> Timesteps => _timesteps;

    /// <summary>σ per step, then 0.</summary>
    public IReadOnlyList<double> Sigmas => _sigmas;

    public override double InitNoiseSigma { get; }

    public override double InputScale(int index) => 1 / Math.Sqrt((_sigmas[index] * _sigmas[index]) + 1);

    public override void Step(int index, ReadOnlySpan<float> modelOutput, Span<float> sample, GaussianNoise noise)
    {
        ArgumentNullException.ThrowIfNull(noise);
        var sigma = _sigmas[index];
        var next = _sigmas[index + 1];
        var up = Math.Sqrt(next * next * ((sigma * sigma) - (next * next)) / (sigma * sigma));
        var down = Math.Sqrt((next * next) - (up * up));
        var dt = down - sigma;
        var scale = (sigma * sigma) + 1;
        for (var i = 0; i < sample.Length; i++)
        {
            double x = sample[i];
            double output = modelOutput[i];
            var x0 = Config.Prediction switch
            {
                PredictionType.Epsilon => x - (sigma * output),
                PredictionType.VPrediction => (output * (-sigma / Math.Sqrt(scale))) + (x / scale),
                _ => output,
            };
            sample[i] = (float)(x + ((x - x0) / sigma * dt));
        }

        if (up > 0)
        {
            for (var i = 0; i < sample.Length; i++)
            {
                sample[i] += (float)(up * noise.Next());
            }
        }
    }

    /// <summary>σ at a (possibly fractional) timestep: linear between the training timesteps.</summary>
    private double SigmaAt(double t)
    {
        var low = (int)Math.Floor(t);
        var high = Math.Min(low + 1, AlphasCumprod.Count - 1);
        var f = t - low;
        return ((1 - f) * Sigma(AlphasCumprod[low])) + (f * Sigma(AlphasCumprod[high]));

        static double Sigma(double alphaBar) => Math.Sqrt((1 - alphaBar) / alphaBar);
    }
}
