using System.Globalization;
using Atelier.Bench.Infrastructure;
using Atelier.Client;
using Atelier.Client.Grpc;

namespace Atelier.Bench;

/// <summary>
/// Per-click latency on one session of a real silo process over loopback, side by side in one run: HTTP segment
/// (PNG answer), gRPC unary Segment (PNG), and a click on a long-lived gRPC <c>Interact</c> stream (send a prompt,
/// wait for its mask, next), plus each transport's floor (session info). Starts the silo built with the bench
/// (<see cref="SiloProcess"/>) with a gRPC port.
/// </summary>
internal sealed class GrpcBenchmark : IBenchmark
{
    private const int Rounds = 5;
    private const int CallsPerRound = 40;
    private const int WarmUpCalls = 10;

    public string Name => "grpc";

    public string Description => "per-click latency: HTTP segment vs gRPC unary Segment vs gRPC Interact stream, same session, p50/p99";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var grpcPort = LoopbackPorts.Free();
        var settings = new Dictionary<string, string> { ["ATELIER__Grpc__Port"] = grpcPort.ToString(CultureInfo.InvariantCulture) };
        await using var silo = await SiloProcess.StartAsync("bench", context.CacheRoot, settings, cancellationToken).ConfigureAwait(false);
        using var http = new AtelierClient(silo.BaseAddress);
        using var grpc = new GrpcAtelierClient(new Uri($"http://127.0.0.1:{grpcPort}/"));
        using var png = new MemoryStream(DiskScene.Png(1024, 768, 150));
        var id = (await http.OpenSessionAsync(png, "image/png", cancellationToken: cancellationToken).ConfigureAwait(false)).Id;
        var prompt = SegmentPrompt.At(new PromptPoint(512, 384));

        var interact = grpc.InteractAsync(id, cancellationToken: cancellationToken);
        await using (interact.ConfigureAwait(false))
        {
            var updates = interact.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
            await using (updates.ConfigureAwait(false))
            {
                (string Name, Func<Task> Call)[] candidates =
                [
                    ("HTTP GET session (floor)", () => http.GetSessionAsync(id, cancellationToken)),
                    ("gRPC GetInfo (floor)", () => grpc.GetSessionAsync(id, cancellationToken)),
                    ("HTTP POST segment -> PNG", () => http.SegmentAsync(id, prompt, cancellationToken)),
                    ("gRPC unary Segment -> PNG", () => grpc.SegmentAsync(id, prompt, cancellationToken)),
                    ("gRPC Interact click -> PNG", async () =>
                    {
                        await interact.SendAsync(prompt, cancellationToken).ConfigureAwait(false);
                        if (!await updates.MoveNextAsync().ConfigureAwait(false))
                        {
                            throw new InvalidOperationException("the Interact stream ended");
                        }
                    }),
                ];
                await MeasureAsync(context, candidates, cancellationToken).ConfigureAwait(false);
            }

            await interact.CompleteAsync().ConfigureAwait(false);
        }

        await http.CloseSessionAsync(id, cancellationToken).ConfigureAwait(false);
    }

    private static async Task MeasureAsync(BenchContext context, (string Name, Func<Task> Call)[] candidates, CancellationToken cancellationToken)
    {
        var stats = await InterleavedRounds.MeasureAsync(candidates, WarmUpCalls, Rounds, CallsPerRound, cancellationToken).ConfigureAwait(false);

        var httpClick = stats[2].Median;
        await context.Output.WriteLineAsync($"1024x768 PNG session on sam-demo, {Rounds} rounds x {CallsPerRound} calls per candidate, sequential, one connection per transport").ConfigureAwait(false);
        await MarkdownTable.WriteHeaderAsync(context.Output, "call", "p50 ms", "p99 ms", "p50 ratio to HTTP segment").ConfigureAwait(false);
        for (var c = 0; c < candidates.Length; c++)
        {
            await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"| {candidates[c].Name} | {stats[c].Median:0.000} | {stats[c].P99:0.000} | {stats[c].Median / httpClick:0.000}x |")).ConfigureAwait(false);
        }
    }
}
