using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Atelier.Imaging;

namespace Atelier.Bench;

/// <summary>
/// Any-silo routing cost in cluster mode: a real <c>redis-server</c> and two silo processes (<c>Silo:Mode=redis</c>)
/// on loopback; one session; the same request sent to the owner and to the other silo (which forwards it over the
/// HTTP/2 silo transport), interleaved round by round, p50/p99 per call. Needs the Release silo
/// (<c>dotnet build -c Release src/Silo</c>) and <c>redis-server</c> on the PATH.
/// </summary>
internal sealed class RoutingBenchmark : IBenchmark
{
    private const int Rounds = 10;
    private const int CallsPerRound = 50;

    public string Name => "routing";

    public string Description => "cluster mode, 2 silo processes + redis: request via the owner vs via a non-owner silo (forwarded), p50/p99";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var silo = Path.Combine(context.RepositoryRoot, "src", "Silo", "bin", "Release", "net10.0", "Atelier.Silo.dll");
        if (!File.Exists(silo))
        {
            await context.Output.WriteLineAsync($"skipped: {silo} not found; run `dotnet build -c Release src/Silo` first.").ConfigureAwait(false);
            return;
        }

        var redisPort = FreePort();
        using var redis = Start("redis-server", ["--port", redisPort.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], []);
        var silos = new List<(string Name, Process Process, HttpClient Http)>();
        try
        {
            foreach (var name in new[] { "a", "b" })
            {
                var (http, internalPort) = (FreePort(), FreePort());
                var environment = new Dictionary<string, string>
                {
                    ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{http}",
                    ["ATELIER__Silo__Mode"] = "redis",
                    ["ATELIER__Silo__Name"] = name,
                    ["ATELIER__Cluster__Redis"] = $"127.0.0.1:{redisPort}",
                    ["ATELIER__Cluster__SiloPort"] = internalPort.ToString(CultureInfo.InvariantCulture),
                    ["ATELIER__Cluster__SiloBindAddress"] = "127.0.0.1",
                    ["ATELIER__Cluster__AdvertisedHost"] = "127.0.0.1",
                    ["ATELIER__Security__RatePerSecond"] = "0",
                    ["Logging__LogLevel__Default"] = "Warning",
                };
                if (Directory.Exists(context.CacheRoot))
                {
                    environment["ATELIER_HOME"] = context.CacheRoot; // else the silo finds the nearest .atelier/ itself
                }

                var process = Start("dotnet", [silo], environment);
                silos.Add((name, process, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}/") }));
            }

            foreach (var (_, process, http) in silos)
            {
                await WaitForClusterAsync(http, process, 2, cancellationToken).ConfigureAwait(false);
            }

            var (id, owner) = await OpenAsync(silos[0].Http, cancellationToken).ConfigureAwait(false);
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

            var samples = candidates.Select(_ => new List<double>()).ToArray();
            for (var c = 0; c < candidates.Length; c++)
            {
                for (var i = 0; i < 20; i++)
                {
                    await candidates[c].Call().ConfigureAwait(false); // warm-up: JIT, connections, directory cache
                }
            }

            // Alternate candidates round by round so drift (other load on the machine) hits all of them alike.
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

            await context.Output.WriteLineAsync($"1024x768 PNG session on sam-demo owned by silo {owner}; {Rounds} rounds x {CallsPerRound} sequential calls per candidate, interleaved; one keep-alive connection per silo").ConfigureAwait(false);
            await context.Output.WriteLineAsync("| call | p50 ms | p99 ms | p50 vs via owner |").ConfigureAwait(false);
            await context.Output.WriteLineAsync("| --- | ---: | ---: | ---: |").ConfigureAwait(false);
            for (var c = 0; c < candidates.Length; c++)
            {
                var sorted = samples[c].Order().ToArray();
                var p50 = sorted[sorted.Length / 2];
                var p99 = sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * 0.99))];
                var baseline = samples[c - (c % 2)].Order().ElementAt(sorted.Length / 2);
                await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"| {candidates[c].Name} | {p50:0.000} | {p99:0.000} | {(c % 2 == 0 ? "1.00x" : $"{p50 / baseline:0.00}x (+{p50 - baseline:0.000} ms)")} |")).ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (var (_, process, http) in silos)
            {
                http.Dispose();
                Stop(process);
            }

            Stop(redis);
        }
    }

    private static Process Start(string file, string[] arguments, Dictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(file, arguments) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
    }

    private static async Task<(string Id, string Owner)> OpenAsync(HttpClient http, CancellationToken cancellationToken)
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

        using var content = new ByteArrayContent(PngEncoder.Encode(image));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        using var response = await http.PostAsync(new Uri("v1/sessions", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"open failed: {(int)response.StatusCode} {body}");
        }

        using var json = JsonDocument.Parse(body);
        return (json.RootElement.GetProperty("id").GetString()!, response.Headers.GetValues("X-Atelier-Silo").Single());
    }

    private static async Task SendAsync(HttpClient http, HttpMethod method, string path, string? json, string owner, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode || response.Headers.GetValues("X-Atelier-Silo").Single() != owner)
        {
            throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
        }
    }

    private static async Task WaitForClusterAsync(HttpClient http, Process process, int silos, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("a silo process exited at start");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("v1/cluster", UriKind.Relative), cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
                    if (json.RootElement.GetProperty("silos").EnumerateArray().Count(s => s.GetProperty("status").GetString() == "active") == silos)
                    {
                        return;
                    }
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException("the cluster did not form within 120 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
