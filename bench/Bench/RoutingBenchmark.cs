using System.Globalization;
using Atelier.Bench.Infrastructure;

namespace Atelier.Bench;

/// <summary>
/// Any-silo routing cost in cluster mode: a real <c>redis-server</c> and two Orleans silo processes
/// (<c>Silo:Mode=redis</c>) on loopback; one session; the same request sent to the owner and to the other silo (whose
/// grain call goes to the owner over Orleans' silo-to-silo connection), interleaved round by round, p50/p99 per call. Starts the silo built with the bench
/// (<see cref="SiloProcess"/>) and needs <c>redis-server</c> on the PATH.
/// </summary>
internal sealed class RoutingBenchmark : IBenchmark
{
    private const int Rounds = 10;
    private const int CallsPerRound = 50;
    private const int WarmUpCalls = 20;

    public string Name => "routing";

    public string Description => "cluster mode, 2 Orleans silo processes + redis: request via the owner vs via a non-owner silo (remote grain call), p50/p99";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        await using var redis = await RedisServer.StartAsync(cancellationToken).ConfigureAwait(false);
        var silos = new List<SiloProcess>();
        try
        {
            foreach (var name in new[] { "a", "b" })
            {
                silos.Add(await SiloProcess.StartAsync(name, context.CacheRoot, SiloProcess.ClusterSettings(redis, keyPrefix: null), cancellationToken).ConfigureAwait(false));
            }

            await SiloProcess.WaitForClusterAsync(silos, cancellationToken).ConfigureAwait(false);

            var (id, owner) = await SessionApi.OpenAsync(silos[0].Http, DiskScene.Png(1024, 768, 150), "image/png", model: null, cancellationToken).ConfigureAwait(false);
            var ownerHttp = silos.Single(s => s.Name == owner).Http;
            var otherHttp = silos.Single(s => s.Name != owner).Http;
            const string Click = "{\"points\":[[512,384]]}";
            (string Name, Func<Task> Call)[] candidates =
            [
                ("GET session info via the owner", () => SendAsync(ownerHttp, HttpMethod.Get, $"v1/sessions/{id}", null, owner, cancellationToken)),
                ("GET session info via the other silo", () => SendAsync(otherHttp, HttpMethod.Get, $"v1/sessions/{id}", null, owner, cancellationToken)),
                ("POST segment (PNG) via the owner", () => SendAsync(ownerHttp, HttpMethod.Post, $"v1/sessions/{id}/segment", Click, owner, cancellationToken)),
                ("POST segment (PNG) via the other silo", () => SendAsync(otherHttp, HttpMethod.Post, $"v1/sessions/{id}/segment", Click, owner, cancellationToken)),
            ];

            // Warm-up: JIT, connections, directory cache; then the candidates alternate round by round.
            var stats = await InterleavedRounds.MeasureAsync(candidates, WarmUpCalls, Rounds, CallsPerRound, cancellationToken).ConfigureAwait(false);

            await context.Output.WriteLineAsync($"1024x768 PNG session on sam-demo owned by silo {owner}; {Rounds} rounds x {CallsPerRound} sequential calls per candidate, interleaved; one keep-alive connection per silo").ConfigureAwait(false);
            await MarkdownTable.WriteHeaderAsync(context.Output, "call", "p50 ms", "p99 ms", "p50 vs via owner").ConfigureAwait(false);
            for (var c = 0; c < candidates.Length; c++)
            {
                var (p50, baseline) = (stats[c].Median, stats[c - (c % 2)].Median);
                await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"| {candidates[c].Name} | {p50:0.000} | {stats[c].P99:0.000} | {(c % 2 == 0 ? "1.00x" : $"{p50 / baseline:0.00}x (+{p50 - baseline:0.000} ms)")} |")).ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>One call that must succeed and be answered by the session's owner (directly or forwarded).</summary>
    private static async Task SendAsync(HttpClient http, HttpMethod method, string path, string? json, string owner, CancellationToken cancellationToken)
    {
        var answeredBy = await SessionApi.SendAsync(http, method, path, json, accept: null, cancellationToken).ConfigureAwait(false);
        if (answeredBy != owner)
        {
            throw new InvalidOperationException($"{method} {path}: answered by silo '{answeredBy}', not by the owner '{owner}'");
        }
    }
}
