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
/// Losing a silo, with real silo processes and a real redis-server on loopback, side by side in one run:
/// a click through the owner and through a non-owner (baseline); <c>kill -9</c> of an owner → first successful answer
/// for each of its sessions through another silo (failure detection + reactivation from the store + re-encode); and
/// SIGTERM of an owner → each of its sessions answering from its new owner (graceful drain: migration with the
/// embedding), plus the time until that process exited. Needs the Release silo: <c>dotnet build -c Release src/Silo</c>.
/// </summary>
internal sealed class FailoverBenchmark : IBenchmark
{
    private const int SessionsPerVictim = 12;
    private const int BaselineClicks = 200;
    private static readonly TimeSpan HeartbeatPeriod = TimeSpan.FromMilliseconds(250);
    private const int MissedHeartbeatsLimit = 8; // declared dead after ~2 s of silence

    public string Name => "failover";

    public string Description => "3 silo processes + redis: click via owner / non-owner, kill -9 failover time and SIGTERM drain time per session (p50/p99/max)";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var silo = Path.Combine(context.RepositoryRoot, "src", "Silo", "bin", "Release", "net10.0", "Atelier.Silo.dll");
        if (!File.Exists(silo))
        {
            await context.Output.WriteLineAsync($"skipped: {silo} not found; run `dotnet build -c Release src/Silo` first.").ConfigureAwait(false);
            return;
        }

        var redisPort = FreePort();
        using var redis = StartProcess("redis-server", ["--port", Invariant(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], null);
        var launcher = new Launcher(silo, $"127.0.0.1:{redisPort}", context.CacheRoot);
        var silos = new List<SiloHandle>();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        try
        {
            silos.AddRange([launcher.Start("fa"), launcher.Start("fb"), launcher.Start("fc")]);
            await WaitForActiveAsync(http, silos, cancellationToken).ConfigureAwait(false);
            var entry = silos[0];
            var png = Scene();

            // Baseline: the same click through the owner and through a non-owner.
            var (baseId, baseOwner) = await OpenAsync(http, entry, png, cancellationToken).ConfigureAwait(false);
            var owner = silos.Single(s => s.Name == baseOwner);
            var other = silos.First(s => s.Name != baseOwner);
            var viaOwner = new List<double>();
            var viaOther = new List<double>();
            for (var i = 0; i < BaselineClicks; i++)
            {
                viaOwner.Add(await TimedClickAsync(http, owner, baseId, i, cancellationToken).ConfigureAwait(false));
                viaOther.Add(await TimedClickAsync(http, other, baseId, i, cancellationToken).ConfigureAwait(false));
            }

            // kill -9 of fc: time from the kill to each of its sessions' first successful answer through fa.
            var victim = silos[2];
            var killed = await SessionsOnAsync(http, entry, victim, png, cancellationToken).ConfigureAwait(false);
            var killStart = Stopwatch.GetTimestamp();
            victim.Process.Kill(entireProcessTree: true);
            var failover = await Task.WhenAll(killed.Select(id => UntilAnsweredAsync(http, entry, id, victim.Name, killStart, cancellationToken))).ConfigureAwait(false);
            silos.Remove(victim);
            victim.Dispose();

            // SIGTERM of a fresh silo fd: time from the signal to each of its sessions answering from another silo.
            var drained = launcher.Start("fd");
            silos.Add(drained);
            await WaitForActiveAsync(http, silos, cancellationToken).ConfigureAwait(false);
            var moving = await SessionsOnAsync(http, entry, drained, png, cancellationToken).ConfigureAwait(false);
            var encodesBeforeDrain = (await EncodeRunsAsync(http, entry, cancellationToken).ConfigureAwait(false)).Where(e => e.Key != drained.Name).Sum(e => e.Value);
            var termStart = Stopwatch.GetTimestamp();
            using (var kill = Process.Start("kill", ["-TERM", Invariant(drained.Process.Id)]))
            {
                await kill!.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }

            var exitTask = drained.Process.WaitForExitAsync(cancellationToken);
            var drain = await Task.WhenAll(moving.Select(id => UntilAnsweredAsync(http, entry, id, drained.Name, termStart, cancellationToken))).ConfigureAwait(false);
            await exitTask.WaitAsync(TimeSpan.FromSeconds(120), cancellationToken).ConfigureAwait(false);
            var exitMs = Stopwatch.GetElapsedTime(termStart).TotalMilliseconds;
            var encodesDuringDrain = (await EncodeRunsAsync(http, entry, cancellationToken).ConfigureAwait(false)).Sum(e => e.Value) - encodesBeforeDrain;

            var click = BenchContext.Median([.. viaOwner]);
            await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"3 silo processes + redis-server on loopback; heartbeat {HeartbeatPeriod.TotalMilliseconds:0} ms, dead after {MissedHeartbeatsLimit} missed; 640x480 PNG sessions on sam-demo; {SessionsPerVictim} sessions on the lost silo; clicks through silo fa")).ConfigureAwait(false);
            await context.Output.WriteLineAsync("| measurement | n | p50 ms | p99 ms | max ms | p50 vs click via owner |").ConfigureAwait(false);
            await context.Output.WriteLineAsync("| --- | ---: | ---: | ---: | ---: | ---: |").ConfigureAwait(false);
            await RowAsync(context, "click via the owner", viaOwner, click).ConfigureAwait(false);
            await RowAsync(context, "click via a non-owner (forwarded over HTTP/2)", viaOther, click).ConfigureAwait(false);
            await RowAsync(context, "kill -9 of the owner → first answer from another silo", [.. failover.Select(f => f.Ms)], click).ConfigureAwait(false);
            await RowAsync(context, "SIGTERM of the owner → answer from its new owner", [.. drain.Select(f => f.Ms)], click).ConfigureAwait(false);
            await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"| SIGTERM → drained process exited | 1 | {exitMs:0.0} | | | {exitMs / click:0}x |")).ConfigureAwait(false);
            await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Failed clicks while waiting: after kill -9 {failover.Sum(f => f.Failures)} (first: {failover.Select(f => f.Error).FirstOrDefault(e => e is not null) ?? "none"}), during the drain {drain.Sum(f => f.Failures)} (first: {drain.Select(f => f.Error).FirstOrDefault(e => e is not null) ?? "none"}). Encoder runs on the surviving silos for the {moving.Count} drained sessions: {encodesDuringDrain} (their embeddings moved with them).")).ConfigureAwait(false);
        }
        finally
        {
            foreach (var s in silos)
            {
                s.Dispose();
            }

            if (!redis.HasExited)
            {
                redis.Kill();
            }
        }
    }

    private static async Task RowAsync(BenchContext context, string name, List<double> sample, double click)
    {
        var sorted = sample.Order().ToArray();
        var p50 = BenchContext.Median([.. sorted]);
        var p99 = sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(sorted.Length * 0.99) - 1)];
        await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {sorted.Length} | {p50:0.00} | {p99:0.00} | {sorted[^1]:0.00} | {p50 / click:0.0}x |")).ConfigureAwait(false);
    }

    /// <summary>Opens sessions through <paramref name="entry"/> until <see cref="SessionsPerVictim"/> are owned by <paramref name="target"/>; each is clicked once.</summary>
    private static async Task<List<string>> SessionsOnAsync(HttpClient http, SiloHandle entry, SiloHandle target, byte[] png, CancellationToken cancellationToken)
    {
        var owned = new List<string>();
        for (var attempt = 0; owned.Count < SessionsPerVictim; attempt++)
        {
            if (attempt > SessionsPerVictim * 20)
            {
                throw new InvalidOperationException($"placement never chose {target.Name}");
            }

            var (id, owner) = await OpenAsync(http, entry, png, cancellationToken).ConfigureAwait(false);
            if (owner == target.Name)
            {
                await TimedClickAsync(http, entry, id, 0, cancellationToken).ConfigureAwait(false);
                owned.Add(id);
            }
        }

        return owned;
    }

    /// <summary>Clicks until a click succeeds from a silo other than <paramref name="lost"/>; milliseconds since <paramref name="since"/>.</summary>
    private static async Task<(double Ms, int Failures, string? Error)> UntilAnsweredAsync(HttpClient http, SiloHandle entry, string id, string lost, long since, CancellationToken cancellationToken)
    {
        string? firstError = null;
        var failures = 0;
        for (var i = 0; ; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Stopwatch.GetElapsedTime(since) > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException($"session {id} did not answer within 2 minutes of losing {lost}");
            }

            var (ok, silo, error) = await TryClickAsync(http, entry, id, i, cancellationToken).ConfigureAwait(false);
            if (ok && silo != lost)
            {
                return (Stopwatch.GetElapsedTime(since).TotalMilliseconds, failures, firstError);
            }

            firstError ??= error;

            failures += ok ? 0 : 1;
            await Task.Delay(10, cancellationToken).ConfigureAwait(false); // still the lost silo, or a failure: try again shortly
        }
    }

    private static async Task<double> TimedClickAsync(HttpClient http, SiloHandle silo, string id, int i, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var (ok, _, _) = await TryClickAsync(http, silo, id, i, cancellationToken).ConfigureAwait(false);
        return ok ? Stopwatch.GetElapsedTime(start).TotalMilliseconds : throw new InvalidOperationException($"click on {id} via {silo.Name} failed");
    }

    private static async Task<(bool Ok, string? Silo, string? Error)> TryClickAsync(HttpClient http, SiloHandle silo, string id, int i, CancellationToken cancellationToken)
    {
        var json = string.Create(CultureInfo.InvariantCulture, $$"""{"points":[[{{310 + (i % 20)}},240]],"labels":[1]}""");
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        try
        {
            using var response = await http.PostAsync(new Uri(silo.BaseAddress, $"/v1/sessions/{id}/segment"), content, cancellationToken).ConfigureAwait(false);
            var answeredBy = response.Headers.TryGetValues("X-Atelier-Silo", out var v) ? v.First() : null;
            if (response.IsSuccessStatusCode)
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
                return (true, answeredBy, null);
            }

            var problem = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return (false, answeredBy, $"{(int)response.StatusCode} {(problem.Length > 160 ? problem[..160] : problem)}");
        }
        catch (HttpRequestException e)
        {
            return (false, null, e.Message);
        }
    }

    private static async Task<(string Id, string Owner)> OpenAsync(HttpClient http, SiloHandle silo, byte[] png, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(png);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        using var response = await http.PostAsync(new Uri(silo.BaseAddress, "/v1/sessions"), content, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"open failed: {(int)response.StatusCode} {body}");
        }

        using var json = JsonDocument.Parse(body);
        return (json.RootElement.GetProperty("id").GetString()!, json.RootElement.GetProperty("silo").GetString()!);
    }

    private static async Task<Dictionary<string, long>> EncodeRunsAsync(HttpClient http, SiloHandle silo, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(silo.BaseAddress, "/v1/models/sam-demo"), cancellationToken).ConfigureAwait(false);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        var runs = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var residency in json.RootElement.GetProperty("residency").EnumerateArray())
        {
            runs[residency.GetProperty("silo").GetString()!] =
                residency.GetProperty("runsByOperation").TryGetProperty("encode", out var n) ? n.GetInt64() : 0;
        }

        return runs;
    }

    /// <summary>Waits until every silo lists exactly the given silos as active in <c>GET /v1/cluster</c>.</summary>
    private static async Task WaitForActiveAsync(HttpClient http, List<SiloHandle> silos, CancellationToken cancellationToken)
    {
        var expected = silos.Select(s => s.Name).Order().ToArray();
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 120);
        foreach (var silo in silos)
        {
            while (true)
            {
                if (silo.Process.HasExited || Stopwatch.GetTimestamp() > deadline)
                {
                    throw new InvalidOperationException($"silo {silo.Name} did not join the cluster");
                }

                try
                {
                    using var response = await http.GetAsync(new Uri(silo.BaseAddress, "/v1/cluster"), cancellationToken).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
                        var active = json.RootElement.GetProperty("silos").EnumerateArray()
                            .Where(s => s.GetProperty("status").GetString() == "active").Select(s => s.GetProperty("name").GetString()!).Order().ToArray();
                        if (active.SequenceEqual(expected))
                        {
                            break;
                        }
                    }
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }

                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static byte[] Scene()
    {
        using var image = new RgbImage(640, 480);
        for (var y = 0; y < image.Height; y++)
        {
            var row = image.Row(y);
            for (var x = 0; x < image.Width; x++)
            {
                var inside = ((x - 320) * (x - 320)) + ((y - 240) * (y - 240)) < 100 * 100;
                row[x * 3] = inside ? (byte)220 : (byte)(30 + (x % 9));
                row[(x * 3) + 1] = inside ? (byte)190 : (byte)(40 + (y % 7));
                row[(x * 3) + 2] = inside ? (byte)60 : (byte)50;
            }
        }

        return PngEncoder.Encode(image);
    }

    private static Process StartProcess(string file, IEnumerable<string> arguments, IDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo(file, arguments) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Starts silo processes in cluster mode against one Redis.</summary>
    private sealed class Launcher(string siloDll, string redis, string cacheRoot)
    {
        private readonly string _prefix = "bench" + Guid.NewGuid().ToString("N")[..8];

        public SiloHandle Start(string name)
        {
            var (http, internalPort) = (FreePort(), FreePort());
            var environment = new Dictionary<string, string>
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{http}",
                ["ATELIER__Silo__Mode"] = "redis",
                ["ATELIER__Silo__Name"] = name,
                ["ATELIER__Security__RatePerSecond"] = "0",
                ["ATELIER__Models__Host__Pinned__0"] = "sam-demo", // resource-aware placement spreads sessions only where it is resident
                ["ATELIER__Cluster__Redis"] = redis,
                ["ATELIER__Cluster__KeyPrefix"] = _prefix,
                ["ATELIER__Cluster__SiloPort"] = Invariant(internalPort),
                ["ATELIER__Cluster__SiloBindAddress"] = "127.0.0.1",
                ["ATELIER__Cluster__AdvertisedHost"] = "127.0.0.1",
                ["ATELIER__Cluster__HeartbeatPeriod"] = HeartbeatPeriod.ToString("c", CultureInfo.InvariantCulture),
                ["ATELIER__Cluster__TableRefreshPeriod"] = HeartbeatPeriod.ToString("c", CultureInfo.InvariantCulture),
                ["ATELIER__Cluster__MissedHeartbeatsLimit"] = Invariant(MissedHeartbeatsLimit),
                ["Logging__LogLevel__Default"] = "Warning",
            };
            if (Directory.Exists(cacheRoot))
            {
                environment["ATELIER_HOME"] = cacheRoot; // else the silo finds the nearest .atelier/ above it
            }

            var process = StartProcess("dotnet", [siloDll], environment);
            return new SiloHandle(name, new Uri($"http://127.0.0.1:{http}"), process);
        }
    }

    private sealed class SiloHandle(string name, Uri baseAddress, Process process) : IDisposable
    {
        public string Name { get; } = name;

        public Uri BaseAddress { get; } = baseAddress;

        public Process Process { get; } = process;

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit();
            }

            Process.Dispose();
        }
    }
}
