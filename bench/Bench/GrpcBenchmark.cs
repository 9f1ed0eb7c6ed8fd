using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Atelier.Client;
using Atelier.Client.Grpc;
using Atelier.Imaging;

namespace Atelier.Bench;

/// <summary>
/// Per-click latency on one session of a real silo process over loopback, side by side in one run: HTTP segment
/// (PNG answer), gRPC unary Segment (PNG), and a click on a long-lived gRPC <c>Interact</c> stream (send a prompt,
/// wait for its mask, next), plus each transport's floor (session info). Needs the Release silo:
/// <c>dotnet build -c Release src/Silo</c>.
/// </summary>
internal sealed class GrpcBenchmark : IBenchmark
{
    private const int Rounds = 5;
    private const int CallsPerRound = 40;

    public string Name => "grpc";

    public string Description => "per-click latency: HTTP segment vs gRPC unary Segment vs gRPC Interact stream, same session, p50/p99";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var silo = Path.Combine(context.RepositoryRoot, "src", "Silo", "bin", "Release", "net10.0", "Atelier.Silo.dll");
        if (!File.Exists(silo))
        {
            await context.Output.WriteLineAsync($"skipped: {silo} not found; run `dotnet build -c Release src/Silo` first.").ConfigureAwait(false);
            return;
        }

        var httpPort = FreePort();
        var grpcPort = FreePort();
        var info = new ProcessStartInfo("dotnet", [silo]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["ATELIER__Urls"] = $"http://127.0.0.1:{httpPort}";
        info.Environment["ATELIER__Grpc__Port"] = grpcPort.ToString(CultureInfo.InvariantCulture);
        info.Environment["ATELIER__Security__RatePerSecond"] = "0";
        info.Environment["ATELIER__Logging__LogLevel__Default"] = "Warning";
        info.Environment["ATELIER_HOME"] = context.CacheRoot;
        using var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new AtelierClient(new Uri($"http://127.0.0.1:{httpPort}/"));
            using var grpc = new GrpcAtelierClient(new Uri($"http://127.0.0.1:{grpcPort}/"));
            await WaitForReadyAsync(http, process, cancellationToken).ConfigureAwait(false);
            using var png = new MemoryStream(Picture());
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
                    await MeasureAsync(context, candidates).ConfigureAwait(false);
                }

                await interact.CompleteAsync().ConfigureAwait(false);
            }

            await http.CloseSessionAsync(id, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private static async Task MeasureAsync(BenchContext context, (string Name, Func<Task> Call)[] candidates)
    {
        var samples = new List<double>[candidates.Length];
        for (var c = 0; c < candidates.Length; c++)
        {
            samples[c] = [];
            for (var i = 0; i < 10; i++)
            {
                await candidates[c].Call().ConfigureAwait(false);
            }
        }

        // Alternate candidates round by round so drift (and the neighbours' load) hits all of them alike.
        for (var round = 0; round < Rounds; round++)
        {
            for (var c = 0; c < candidates.Length; c++)
            {
                for (var i = 0; i < CallsPerRound; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    await candidates[c].Call().ConfigureAwait(false);
                    samples[c].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }
        }

        var httpClick = BenchContext.Median([.. samples[2]]);
        await context.Output.WriteLineAsync($"1024x768 PNG session on sam-demo, {Rounds} rounds x {CallsPerRound} calls per candidate, sequential, one connection per transport").ConfigureAwait(false);
        await context.Output.WriteLineAsync("| call | p50 ms | p99 ms | p50 ratio to HTTP segment |").ConfigureAwait(false);
        await context.Output.WriteLineAsync("| --- | ---: | ---: | ---: |").ConfigureAwait(false);
        for (var c = 0; c < candidates.Length; c++)
        {
            var sorted = samples[c].Order().ToArray();
            var median = BenchContext.Median([.. sorted]);
            var p99 = sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * 0.99))];
            await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"| {candidates[c].Name} | {median:0.000} | {p99:0.000} | {median / httpClick:0.000}x |")).ConfigureAwait(false);
        }
    }

    private static byte[] Picture()
    {
        using var image = new RgbImage(1024, 768);
        for (var y = 0; y < image.Height; y++)
        {
            var row = image.Row(y);
            for (var x = 0; x < image.Width; x++)
            {
                var inside = ((x - 512) * (x - 512)) + ((y - 384) * (y - 384)) < 150 * 150;
                row[x * 3] = inside ? (byte)220 : (byte)(30 + (x % 9));
                row[(x * 3) + 1] = inside ? (byte)190 : (byte)(40 + (y % 7));
                row[(x * 3) + 2] = inside ? (byte)60 : (byte)50;
            }
        }

        return PngEncoder.Encode(image);
    }

    private static async Task WaitForReadyAsync(AtelierClient http, Process process, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("the silo process exited at start");
            }

            try
            {
                if (await http.IsReadyAsync(cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException("the silo did not become ready within 60 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
