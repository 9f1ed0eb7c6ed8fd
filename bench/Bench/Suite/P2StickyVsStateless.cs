using System.Globalization;
using Atelier.Bench.Infrastructure;
using Atelier.Imaging;
using Atelier.Models.Adapters;

namespace Atelier.Bench.Suite;

/// <summary>
/// P2: a click on a sticky (cached) session against a stateless request that re-uploads the image and
/// re-encodes it for every click (<c>POST /v1/sessions</c> + <c>segment</c>; the untimed DELETE only cleans
/// up), both over HTTP on the same silo process, for <c>sam-demo</c> and <c>sam-isnet</c>. The raw
/// in-process encoder and decoder are timed in the same run to set the target
/// <c>speedup ≥ 0.9 × (encode + decode) / decode</c>. Iterations interleave all four measurements.
/// </summary>
internal sealed class P2StickyVsStateless : ISuiteScenario
{
    private static readonly string[] Models = ["sam-demo", "sam-isnet"];

    public string Id => "P2";

    public string What => "sticky session click vs stateless request (re-upload + re-encode per click), sam-demo and sam-isnet";

    public async Task<ScenarioResult> RunAsync(SuiteContext context, CancellationToken cancellationToken)
    {
        var silo = await context.EmbeddedSiloAsync(cancellationToken).ConfigureAwait(false);
        var detail = new Dictionary<string, object>
        {
            ["image"] = string.Create(CultureInfo.InvariantCulture, $"{context.UploadName} ({context.Width}x{context.Height})"),
        };
        var allMet = true;
        double headline = 0;
        var targets = new List<string>();
        foreach (var model in Models)
        {
            var runs = model == "sam-demo" ? context.Options.StatelessRunsDemo : context.Options.StatelessRunsIsnet;
            var (speedup, target, perModel) = await MeasureAsync(context, silo, model, runs, cancellationToken).ConfigureAwait(false);
            detail[model] = perModel;
            allMet &= speedup >= target;
            headline = speedup; // the last model, sam-isnet, has the realistic encoder
            targets.Add(string.Create(CultureInfo.InvariantCulture, $"{model} ≥ {target:F1}×"));
        }

        return new ScenarioResult(Id, What, Math.Round(headline, 2), "× (sam-isnet stateless / sticky)",
            $"speedup ≥ 0.9 × (encode + decode) / decode per model ({string.Join(", ", targets)})", allMet, detail);
    }

    private static async Task<(double Speedup, double Target, Dictionary<string, object> Detail)> MeasureAsync(
        SuiteContext context, SiloProcess silo, string model, int statelessRuns, CancellationToken cancellationToken)
    {
        context.Log($"P2 {model}: loading, opening the sticky session");
        using var sam = (SamModel)await context.LoadModelAsync(model, 0, cancellationToken).ConfigureAwait(false);
        using var image = ImageDecoder.Decode(context.Upload);
        using var embedding = sam.Encode(image, cancellationToken);
        var (x, y) = context.Click;
        var prompt = SamPrompt.FromPoints(new SamPoint(x, y, true));
        var (id, _) = await SessionApi.OpenAsync(silo.Http, context.Upload, model, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < 3; i++)
        {
            SamRuns.Decode(sam, embedding, prompt, cancellationToken);
            await SessionApi.SegmentAsync(silo.Http, id, x, y, cancellationToken).ConfigureAwait(false);
        }

        var clicksPerIteration = Math.Max(1, context.Options.Clicks / 2 / statelessRuns);
        List<double> sticky = [], decode = [], encode = [], stateless = [];
        for (var i = 0; i < statelessRuns; i++)
        {
            if (statelessRuns <= 5)
            {
                context.Log($"P2 {model}: iteration {i + 1}/{statelessRuns}");
            }
            string? fresh = null;
            stateless.Add(await SamRuns.TimeAsync(async () =>
            {
                (fresh, _) = await SessionApi.OpenAsync(silo.Http, context.Upload, model, cancellationToken).ConfigureAwait(false);
                await SessionApi.SegmentAsync(silo.Http, fresh, x, y, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false));
            await SessionApi.DeleteAsync(silo.Http, fresh!, cancellationToken).ConfigureAwait(false); // untimed clean-up
            encode.Add(SamRuns.Encode(sam, image, cancellationToken));
            for (var c = 0; c < clicksPerIteration; c++)
            {
                decode.Add(SamRuns.Decode(sam, embedding, prompt, cancellationToken));
                sticky.Add(await SamRuns.TimeAsync(() => SessionApi.SegmentAsync(silo.Http, id, x, y, cancellationToken)).ConfigureAwait(false));
            }
        }

        await SessionApi.DeleteAsync(silo.Http, id, cancellationToken).ConfigureAwait(false);
        var (st, sl, en, de) = (Stats.Of(sticky), Stats.Of(stateless), Stats.Of(encode), Stats.Of(decode));
        var speedup = sl.Median / st.Median;
        var target = 0.9 * (en.Median + de.Median) / de.Median;
        return (speedup, target, new Dictionary<string, object>
        {
            ["speedup"] = Math.Round(speedup, 2),
            ["target"] = Math.Round(target, 2),
            ["met"] = speedup >= target,
            ["stickyClickMedianMs"] = Math.Round(st.Median, 2),
            ["stickyClickP99Ms"] = Math.Round(st.P99, 2),
            ["statelessMedianMs"] = Math.Round(sl.Median, 2),
            ["statelessP99Ms"] = Math.Round(sl.P99, 2),
            ["rawEncodeMedianMs"] = Math.Round(en.Median, 2),
            ["rawDecodeMedianMs"] = Math.Round(de.Median, 2),
            ["stickyClicks"] = sticky.Count,
            ["statelessRequests"] = stateless.Count,
        });
    }
}
