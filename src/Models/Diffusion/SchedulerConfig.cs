using System.Text.Json;

namespace Atelier.Models.Diffusion;

/// <summary>What the model was trained to predict (diffusers' <c>prediction_type</c>).</summary>
public enum PredictionType
{
    /// <summary>The added noise ε.</summary>
    Epsilon,

    /// <summary>v = √ᾱ·ε − √(1−ᾱ)·x₀.</summary>
    VPrediction,

    /// <summary>The clean sample x₀.</summary>
    Sample,
}

/// <summary>
/// The fields of diffusers' <c>scheduler/scheduler_config.json</c> that define the noise schedule and the step
/// rule. Unknown fields are ignored (every diffusers scheduler writes its own extras); known fields are checked.
/// </summary>
public sealed record SchedulerConfig
{
    public string ClassName { get; init; } = "DDIMScheduler";

    public int TrainTimesteps { get; init; } = 1000;

    public double BetaStart { get; init; } = 0.0001;

    public double BetaEnd { get; init; } = 0.02;

    /// <summary><c>linear</c>, <c>scaled_linear</c> or <c>squaredcos_cap_v2</c>.</summary>
    public string BetaSchedule { get; init; } = "linear";

    public double[]? TrainedBetas { get; init; }

    public int StepsOffset { get; init; }

    public PredictionType Prediction { get; init; } = PredictionType.Epsilon;

    /// <summary><c>leading</c>, <c>trailing</c> or <c>linspace</c>; null: the scheduler's own default.</summary>
    public string? TimestepSpacing { get; init; }

    public bool SetAlphaToOne { get; init; } = true;

    public bool ClipSample { get; init; }

    public double ClipSampleRange { get; init; } = 1.0;

    /// <summary>Parses the JSON text of a <c>scheduler_config.json</c>.</summary>
    /// <exception cref="FormatException">Malformed JSON or an unsupported value; the message names the field.</exception>
    public static SchedulerConfig Parse(ReadOnlySpan<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new FormatException($"scheduler_config.json: not valid JSON ({e.Message})", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("scheduler_config.json: must be a JSON object.");
            }

            var config = new SchedulerConfig
            {
                ClassName = String(root, "_class_name") ?? "DDIMScheduler",
                TrainTimesteps = (int)Number(root, "num_train_timesteps", 1000, 2, 100_000),
                BetaStart = Number(root, "beta_start", 0.0001, 0, 1),
                BetaEnd = Number(root, "beta_end", 0.02, 0, 1),
                BetaSchedule = String(root, "beta_schedule") ?? "linear",
                StepsOffset = (int)Number(root, "steps_offset", 0, 0, 1000),
                TimestepSpacing = String(root, "timestep_spacing"),
                SetAlphaToOne = Bool(root, "set_alpha_to_one", true),
                ClipSample = Bool(root, "clip_sample", false),
                ClipSampleRange = Number(root, "clip_sample_range", 1.0, 0, 1000),
                Prediction = (String(root, "prediction_type") ?? "epsilon") switch
                {
                    "epsilon" => PredictionType.Epsilon,
                    "v_prediction" => PredictionType.VPrediction,
                    "sample" => PredictionType.Sample,
                    var other => throw new FormatException($"scheduler_config.json: prediction_type '{other}' is not epsilon, v_prediction or sample."),
                },
                TrainedBetas = root.TryGetProperty("trained_betas", out var trained) && trained.ValueKind == JsonValueKind.Array
                    ? [.. trained.EnumerateArray().Select(static b => b.GetDouble())]
                    : null,
            };
            if (config.BetaSchedule is not ("linear" or "scaled_linear" or "squaredcos_cap_v2"))
            {
                throw new FormatException($"scheduler_config.json: beta_schedule '{config.BetaSchedule}' is not linear, scaled_linear or squaredcos_cap_v2.");
            }

            if (config.TimestepSpacing is not (null or "leading" or "trailing" or "linspace"))
            {
                throw new FormatException($"scheduler_config.json: timestep_spacing '{config.TimestepSpacing}' is not leading, trailing or linspace.");
            }

            if (config.TrainedBetas is { } betas && betas.Length != config.TrainTimesteps)
            {
                throw new FormatException($"scheduler_config.json: trained_betas has {betas.Length} values, num_train_timesteps is {config.TrainTimesteps}.");
            }

            return config;
        }
    }

    /// <summary>ᾱ_t = Π(1 − β_i) for t = 0 … <see cref="TrainTimesteps"/> − 1, from the beta schedule.</summary>
    public double[] AlphasCumprod()
    {
        var n = TrainTimesteps;
        var betas = new double[n];
        if (TrainedBetas is { } trained)
        {
            trained.CopyTo(betas, 0);
        }
        else
        {
            for (var i = 0; i < n; i++)
            {
                var f = n == 1 ? 0 : (double)i / (n - 1);
                betas[i] = BetaSchedule switch
                {
                    "linear" => BetaStart + ((BetaEnd - BetaStart) * f),
                    "scaled_linear" => Math.Pow(Math.Sqrt(BetaStart) + ((Math.Sqrt(BetaEnd) - Math.Sqrt(BetaStart)) * f), 2),
                    _ => Math.Min(1 - (CosineAlphaBar((i + 1.0) / n) / CosineAlphaBar((double)i / n)), 0.999),
                };
            }
        }

        var cumprod = new double[n];
        var product = 1.0;
        for (var i = 0; i < n; i++)
        {
            product *= 1 - betas[i];
            cumprod[i] = product;
        }

        return cumprod;

        static double CosineAlphaBar(double t) => Math.Pow(Math.Cos((t + 0.008) / 1.008 * Math.PI / 2), 2);
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool Bool(JsonElement root, string name, bool fallback) =>
        root.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : fallback;

    private static double Number(JsonElement root, string name, double fallback, double min, double max)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || number < min || number > max)
        {
            throw new FormatException($"scheduler_config.json: {name} must be a number in {min}..{max}.");
        }

        return number;
    }
}
