using System.Text;
using Atelier.Models.Diffusion;

namespace Atelier.Models.Tests.Diffusion;

/// <summary>
/// Timesteps and single steps of DDIM and Euler ancestral against values worked out from their formulas. The toy schedule
/// has 10 training steps with β = 0.1 throughout, so ᾱ_t = 0.9^(t+1).
/// </summary>
public sealed class SchedulerTests
{
    private static SchedulerConfig Toy(string extra = "") => SchedulerConfig.Parse(Encoding.UTF8.GetBytes(
        $$"""{"num_train_timesteps": 10, "beta_start": 0.1, "beta_end": 0.1, "beta_schedule": "linear"{{extra}}}"""));

    private static double AlphaBar(int t) => Math.Pow(0.9, t + 1);

    [Fact]
    public void Scaled_linear_schedule_matches_sd2()
    {
        var config = SchedulerConfig.Parse(Encoding.UTF8.GetBytes(
            """{"beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear", "num_train_timesteps": 1000}"""));

        var alphas = config.AlphasCumprod();

        Assert.Equal(1 - 0.00085, alphas[0], 12);
        var beta1 = Math.Pow(Math.Sqrt(0.00085) + ((Math.Sqrt(0.012) - Math.Sqrt(0.00085)) / 999), 2);
        Assert.Equal((1 - 0.00085) * (1 - beta1), alphas[1], 12);
        Assert.Equal(alphas[998] * (1 - 0.012), alphas[999], 12);
    }

    [Fact]
    public void Ddim_leading_timesteps_are_spaced_by_the_stride_plus_the_offset()
    {
        var ddim = new DdimScheduler(SchedulerConfig.Parse(Encoding.UTF8.GetBytes(
            """{"num_train_timesteps": 1000, "steps_offset": 1, "beta_schedule": "scaled_linear", "beta_start": 0.00085, "beta_end": 0.012}""")), 20);

        Assert.Equal(20, ddim.Timesteps.Count);
        Assert.Equal(951, ddim.Timesteps[0]);
        Assert.Equal(901, ddim.Timesteps[1]);
        Assert.Equal(1, ddim.Timesteps[19]);
    }

    [Fact]
    public void Ddim_trailing_and_linspace_spacings()
    {
        Assert.Equal([9.0, 6, 2], new DdimScheduler(Toy(""", "timestep_spacing": "trailing" """), 3).Timesteps);
        // linspace(0, 9, 4) = 0, 3, 6, 9
        Assert.Equal([9.0, 6, 3, 0], new DdimScheduler(Toy(""", "timestep_spacing": "linspace" """), 4).Timesteps);
    }

    [Fact]
    public void Ddim_epsilon_step_matches_the_formula()
    {
        var ddim = new DdimScheduler(Toy(), 5); // stride 2: 8, 6, 4, 2, 0
        Assert.Equal([8.0, 6, 4, 2, 0], ddim.Timesteps);
        float[] sample = [1f, -0.5f];
        float[] eps = [0.5f, 0.25f];

        ddim.Step(0, eps, sample, new GaussianNoise(1));

        for (var i = 0; i < 2; i++)
        {
            double x = i == 0 ? 1 : -0.5, e = i == 0 ? 0.5 : 0.25;
            var x0 = (x - (Math.Sqrt(1 - AlphaBar(8)) * e)) / Math.Sqrt(AlphaBar(8));
            var expected = (Math.Sqrt(AlphaBar(6)) * x0) + (Math.Sqrt(1 - AlphaBar(6)) * e);
            Assert.Equal(expected, sample[i], 5);
        }
    }

    [Fact]
    public void Ddim_last_step_uses_alpha_one_or_alpha_zero()
    {
        float[] one = [1f];
        new DdimScheduler(Toy(""", "set_alpha_to_one": true"""), 5).Step(4, [0.5f], one, new GaussianNoise(1));
        // t = 0 → previous −2: ᾱ_prev = 1, so x_prev = x₀ = (x − √(1−ᾱ₀)·ε)/√ᾱ₀
        Assert.Equal((1 - (Math.Sqrt(0.1) * 0.5)) / Math.Sqrt(0.9), one[0], 5);

        float[] zero = [1f];
        new DdimScheduler(Toy(""", "set_alpha_to_one": false"""), 5).Step(4, [0.5f], zero, new GaussianNoise(1));
        var x0 = (1 - (Math.Sqrt(0.1) * 0.5)) / Math.Sqrt(0.9);
        Assert.Equal((Math.Sqrt(0.9) * x0) + (Math.Sqrt(0.1) * 0.5), zero[0], 5);
    }

    [Fact]
    public void Ddim_v_prediction_step_matches_the_formula()
    {
        var ddim = new DdimScheduler(Toy(""", "prediction_type": "v_prediction" """), 5);
        float[] sample = [1f];

        ddim.Step(0, [0.5f], sample, new GaussianNoise(1));

        double a = Math.Sqrt(AlphaBar(8)), b = Math.Sqrt(1 - AlphaBar(8));
        var x0 = (a * 1) - (b * 0.5);
        var eps = (a * 0.5) + (b * 1);
        Assert.Equal((Math.Sqrt(AlphaBar(6)) * x0) + (Math.Sqrt(1 - AlphaBar(6)) * eps), sample[0], 5);
    }

    [Fact]
    public void Euler_linspace_timesteps_sigmas_and_initial_sigma()
    {
        var euler = new EulerAncestralScheduler(Toy(), 3);

        Assert.Equal([9.0, 4.5, 0], euler.Timesteps);
        static double Sigma(int t) => Math.Sqrt((1 - AlphaBar(t)) / AlphaBar(t));
        Assert.Equal(Sigma(9), euler.Sigmas[0], 10);
        Assert.Equal((Sigma(4) + Sigma(5)) / 2, euler.Sigmas[1], 10);
        Assert.Equal(Sigma(0), euler.Sigmas[2], 10);
        Assert.Equal(0, euler.Sigmas[3]);
        Assert.Equal(Sigma(9), euler.InitNoiseSigma, 10); // linspace: the largest sigma itself
        Assert.Equal(1 / Math.Sqrt((Sigma(9) * Sigma(9)) + 1), euler.InputScale(0), 10);
        // leading: 6, 3, 0 (stride 3), and √(σ_max² + 1)
        Assert.Equal(Math.Sqrt((Sigma(6) * Sigma(6)) + 1), new EulerAncestralScheduler(Toy(""", "timestep_spacing": "leading" """), 3).InitNoiseSigma, 10);
    }

    [Fact]
    public void Euler_ancestral_step_matches_the_formula_with_the_seeded_noise()
    {
        var euler = new EulerAncestralScheduler(Toy(), 3);
        float[] sample = [2f];

        euler.Step(0, [0.5f], sample, new GaussianNoise(7));

        double sigma = euler.Sigmas[0], next = euler.Sigmas[1];
        var up = Math.Sqrt(next * next * ((sigma * sigma) - (next * next)) / (sigma * sigma));
        var down = Math.Sqrt((next * next) - (up * up));
        var x0 = 2 - (sigma * 0.5);
        var expected = 2 + ((2 - x0) / sigma * (down - sigma)) + (up * new GaussianNoise(7).Next());
        Assert.Equal(expected, sample[0], 4);
    }

    [Fact]
    public void Euler_last_step_lands_on_the_predicted_clean_sample()
    {
        var euler = new EulerAncestralScheduler(Toy(), 3);
        float[] sample = [2f];

        euler.Step(2, [0.5f], sample, new GaussianNoise(7));

        Assert.Equal(2 - (euler.Sigmas[2] * 0.5), sample[0], 5);
    }

    [Theory]
    [InlineData("""{"prediction_type": "flow"}""", "prediction_type")]
    [InlineData("""{"beta_schedule": "sigmoid"}""", "beta_schedule")]
    [InlineData("""{"num_train_timesteps": -3}""", "num_train_timesteps")]
    [InlineData("""{"num_train_timesteps": 3, "trained_betas": [0.1, 0.2]}""", "trained_betas")]
    [InlineData("""[1, 2]""", "object")]
    [InlineData("""{"beta_start": """, "JSON")]
    public void Malformed_configs_are_refused_naming_the_field(string json, string named)
    {
        var error = Assert.Throws<FormatException>(() => SchedulerConfig.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gaussian_noise_is_reproducible_per_seed_and_roughly_standard()
    {
        var a = new float[20_000];
        var b = new float[20_000];
        new GaussianNoise(42).Fill(a);
        new GaussianNoise(42).Fill(b);
        Assert.Equal(a, b);

        var mean = a.Average();
        var variance = a.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.03, 0.03);
        Assert.InRange(variance, 0.95, 1.05);
        Assert.NotEqual(a[0], new GaussianNoise(43).Next(), 6);
    }
}
