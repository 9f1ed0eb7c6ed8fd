using System.Globalization;
using Atelier.Bench.Infrastructure;

namespace Atelier.Bench;

/// <summary>
/// HTTP API round trips against a real silo process over loopback, side by side in one run:
/// the HTTP floor (<c>/healthz</c>), a grain read through HTTP (session info), and a click (segment)
/// answered as PNG and as JSON. Starts the silo built with the bench (<see cref="SiloProcess"/>).
/// </summary>
internal sealed class HttpBenchmark : IBenchmark
{
    private const int Rounds = 5;
    private const int CallsPerRound = 40;
    private const int WarmUpCalls = 10;

    public string Name => "http";

    public string Description => "HTTP API on a silo process (loopback): healthz vs session info vs segment (PNG / JSON answer), median per call";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        await using var silo = await SiloProcess.StartAsync("bench", context.CacheRoot, new Dictionary<string, string>(), cancellationToken).ConfigureAwait(false);
        var http = silo.Http;
        var (id, _) = await SessionApi.OpenAsync(http, DiskScene.Png(1024, 768, 150), "image/png", model: null, cancellationToken).ConfigureAwait(false);

        const string Click = "{\"points\":[[512,384]]}";
        (string Name, Func<Task> Call)[] candidates =
        [
            ("GET /healthz (HTTP floor)", () => SessionApi.SendAsync(http, HttpMethod.Get, "healthz", null, null, cancellationToken)),
            ("GET /v1/sessions/{id} (grain read)", () => SessionApi.SendAsync(http, HttpMethod.Get, $"v1/sessions/{id}", null, null, cancellationToken)),
            ("POST segment -> image/png", () => SessionApi.SendAsync(http, HttpMethod.Post, $"v1/sessions/{id}/segment", Click, "image/png", cancellationToken)),
            ("POST segment -> JSON (RLE)", () => SessionApi.SendAsync(http, HttpMethod.Post, $"v1/sessions/{id}/segment", Click, "application/json", cancellationToken)),
        ];

        var stats = await InterleavedRounds.MeasureAsync(candidates, WarmUpCalls, Rounds, CallsPerRound, cancellationToken).ConfigureAwait(false);

        var floor = stats[0].Median;
        await context.Output.WriteLineAsync($"1024x768 PNG session on sam-demo, {Rounds} rounds x {CallsPerRound} calls per candidate, sequential, one keep-alive connection").ConfigureAwait(false);
        await MarkdownTable.WriteHeaderAsync(context.Output, "call", "median ms", "p90 ms", "ratio to /healthz").ConfigureAwait(false);
        for (var c = 0; c < candidates.Length; c++)
        {
            await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"| {candidates[c].Name} | {stats[c].Median:0.000} | {stats[c].P90:0.000} | {stats[c].Median / floor:0.0}x |")).ConfigureAwait(false);
        }

        await SessionApi.DeleteAsync(http, id, cancellationToken).ConfigureAwait(false);
    }
}
