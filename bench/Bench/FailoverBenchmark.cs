using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Atelier.Bench.Infrastructure;

namespace Atelier.Bench;

/// <summary>
/// Losing a silo of the Orleans cluster, with real silo processes and a real redis-server on loopback, side by side in
/// one run: a click through the owner and through a non-owner (baseline); <c>kill -9</c> of an owner → first successful
/// answer for each of its sessions through another silo (Orleans failure detection: probes, death vote in the Redis
/// membership table; then reactivation from the session store + re-encode; the ingress silo's retry filter holds the
/// clicks meanwhile); and SIGTERM of an owner → each of its sessions answering from its new owner (graceful drain:
/// Orleans live migration with the embedding), plus the time until that process exited. The membership settings are
/// the product's defaults (<c>Cluster:ProbeTimeout</c>, <c>Cluster:MissedProbesLimit</c>) unless given as arguments:
/// <c>failover probeTimeout=00:00:01 missedProbes=2 sessions=12</c>. Starts the silo built with the bench (<see cref="SiloProcess"/>).
/// </summary>
internal sealed class FailoverBenchmark : IBenchmark
{
    private const int BaselineClicks = 200;
    private int _sessionsPerVictim = 12;

    public string Name => "failover";

    public string Description => "3 Orleans silo processes + redis: click via owner / non-owner, kill -9 failover time and SIGTERM drain time per session (p50/p99/max)";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var membership = MembershipSettings(context.Arguments);
        await using var redis = await RedisServer.StartAsync(cancellationToken).ConfigureAwait(false);
        var keyPrefix = "bench" + Guid.NewGuid().ToString("N")[..8];
        var silos = new List<SiloProcess>();
        try
        {
            foreach (var name in new[] { "fa", "fb", "fc" })
            {
                silos.Add(await StartSiloAsync(context, redis, keyPrefix, name, membership, cancellationToken).ConfigureAwait(false));
            }

            await SiloProcess.WaitForClusterAsync(silos, cancellationToken).ConfigureAwait(false);
            var entry = silos[0];
            var png = DiskScene.Png(640, 480, 100);

            // Baseline: the same click through the owner and through a non-owner.
            var (baseId, baseOwner) = await SessionApi.OpenAsync(entry.Http, png, "image/png", model: null, cancellationToken).ConfigureAwait(false);
            var owner = silos.Single(s => s.Name == baseOwner);
            var other = silos.First(s => s.Name != baseOwner);
            var viaOwner = new List<double>();
            var viaOther = new List<double>();
            for (var i = 0; i < BaselineClicks; i++)
            {
                viaOwner.Add(await TimedClickAsync(owner, baseId, i, cancellationToken).ConfigureAwait(false));
                viaOther.Add(await TimedClickAsync(other, baseId, i, cancellationToken).ConfigureAwait(false));
            }

            // kill -9 of fc: time from the kill to each of its sessions' first successful answer through fa.
            var victim = silos[2];
            var killed = await SessionsOnAsync(entry, victim, png, cancellationToken).ConfigureAwait(false);
            var killStart = Stopwatch.GetTimestamp();
            victim.Kill();
            var failover = await Task.WhenAll(killed.Select(id => UntilAnsweredAsync(entry, id, victim.Name, killStart, cancellationToken))).ConfigureAwait(false);
            silos.Remove(victim);
            await victim.DisposeAsync().ConfigureAwait(false);

            // SIGTERM of a fresh silo fd: time from the signal to each of its sessions answering from another silo.
            var drained = await StartSiloAsync(context, redis, keyPrefix, "fd", membership, cancellationToken).ConfigureAwait(false);
            silos.Add(drained);
            await SiloProcess.WaitForClusterAsync(silos, cancellationToken).ConfigureAwait(false);
            var moving = await SessionsOnAsync(entry, drained, png, cancellationToken).ConfigureAwait(false);
            var encodesBeforeDrain = (await EncodeRunsAsync(entry, cancellationToken).ConfigureAwait(false)).Where(e => e.Key != drained.Name).Sum(e => e.Value);
            var termStart = Stopwatch.GetTimestamp();
            await drained.TerminateAsync(cancellationToken).ConfigureAwait(false);
            var exitTask = drained.WaitForExitAsync(cancellationToken);
            var drain = await Task.WhenAll(moving.Select(id => UntilAnsweredAsync(entry, id, drained.Name, termStart, cancellationToken))).ConfigureAwait(false);
            await exitTask.WaitAsync(TimeSpan.FromSeconds(120), cancellationToken).ConfigureAwait(false);
            var exitMs = Stopwatch.GetElapsedTime(termStart).TotalMilliseconds;
            var encodesDuringDrain = (await EncodeRunsAsync(entry, cancellationToken).ConfigureAwait(false)).Sum(e => e.Value) - encodesBeforeDrain;

            var click = BenchContext.Median([.. viaOwner]);
            await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"3 Orleans silo processes + redis-server on loopback; membership: {Describe(membership)}; 640x480 PNG sessions on sam-demo; {_sessionsPerVictim} sessions on the lost silo; clicks through silo fa")).ConfigureAwait(false);
            await MarkdownTable.WriteHeaderAsync(context.Output, "measurement", "n", "p50 ms", "p99 ms", "max ms", "p50 vs click via owner").ConfigureAwait(false);
            await RowAsync(context, "click via the owner", viaOwner, click).ConfigureAwait(false);
            await RowAsync(context, "click via a non-owner (Orleans silo-to-silo call)", viaOther, click).ConfigureAwait(false);
            await RowAsync(context, "kill -9 of the owner → first answer from another silo", [.. failover.Select(f => f.Ms)], click).ConfigureAwait(false);
            await RowAsync(context, "SIGTERM of the owner → answer from its new owner", [.. drain.Select(f => f.Ms)], click).ConfigureAwait(false);
            await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"| SIGTERM → drained process exited | 1 | {exitMs:0.0} | | | {exitMs / click:0}x |")).ConfigureAwait(false);
            await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Failed clicks while waiting: after kill -9 {failover.Sum(f => f.Failures)} (first: {failover.Select(f => f.Error).FirstOrDefault(e => e is not null) ?? "none"}), during the drain {drain.Sum(f => f.Failures)} (first: {drain.Select(f => f.Error).FirstOrDefault(e => e is not null) ?? "none"}). Encoder runs on the surviving silos for the {moving.Count} drained sessions: {encodesDuringDrain} (their embeddings moved with them).")).ConfigureAwait(false);
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task RowAsync(BenchContext context, string name, List<double> sample, double click)
    {
        var stats = Stats.Of(sample);
        await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {stats.Count} | {stats.Median:0.00} | {stats.P99:0.00} | {stats.Max:0.00} | {stats.Median / click:0.0}x |")).ConfigureAwait(false);
    }

    /// <summary>
    /// The Orleans membership settings of the run, as <c>Cluster:*</c> environment settings: <c>probeTimeout=</c>
    /// (a TimeSpan, <c>Cluster:ProbeTimeout</c>), <c>missedProbes=</c> (<c>Cluster:MissedProbesLimit</c>),
    /// <c>deathVotes=</c> (<c>Cluster:DeathVotes</c>), <c>tableRefresh=</c> (a TimeSpan, <c>Cluster:TableRefreshPeriod</c>) and
    /// <c>directoryLease=</c> (a TimeSpan, <c>Cluster:DirectoryLease</c>) from the arguments; absent ones keep the product default. Also reads <c>sessions=</c> (sessions on each lost silo, default 12).
    /// </summary>
    private Dictionary<string, string> MembershipSettings(IReadOnlyList<string> arguments)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var argument in arguments)
        {
            var (key, value) = argument.IndexOf('=', StringComparison.Ordinal) is var i and > 0 ? (argument[..i], argument[(i + 1)..]) : (argument, "");
            switch (key.ToLowerInvariant())
            {
                case "probetimeout":
                    settings["ATELIER__Cluster__ProbeTimeout"] = TimeSpan.Parse(value, CultureInfo.InvariantCulture).ToString("c", CultureInfo.InvariantCulture);
                    break;
                case "missedprobes":
                    settings["ATELIER__Cluster__MissedProbesLimit"] = int.Parse(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
                    break;
                case "deathvotes":
                    settings["ATELIER__Cluster__DeathVotes"] = int.Parse(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
                    break;
                case "tablerefresh":
                    settings["ATELIER__Cluster__TableRefreshPeriod"] = TimeSpan.Parse(value, CultureInfo.InvariantCulture).ToString("c", CultureInfo.InvariantCulture);
                    break;
                case "directorylease":
                    settings["ATELIER__Cluster__DirectoryLease"] = TimeSpan.Parse(value, CultureInfo.InvariantCulture).ToString("c", CultureInfo.InvariantCulture);
                    break;
                case "sessions":
                    _sessionsPerVictim = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                default:
                    throw new ArgumentException($"failover: unknown argument '{argument}' (known: probeTimeout=, missedProbes=, deathVotes=, tableRefresh=, directoryLease=, sessions=)");
            }
        }

        return settings;
    }

    private static string Describe(Dictionary<string, string> membership) =>
        membership.Count == 0 ? "the product's Cluster:* defaults"
            : string.Join(", ", membership.Select(s => $"{s.Key["ATELIER__".Length..].Replace("__", ":", StringComparison.Ordinal)}={s.Value}")) + ", other Cluster:* settings default";

    /// <summary>A cluster-mode silo with <c>sam-demo</c> pinned and the run's membership settings.</summary>
    private static Task<SiloProcess> StartSiloAsync(
        BenchContext context, RedisServer redis, string keyPrefix, string name, Dictionary<string, string> membership, CancellationToken cancellationToken)
    {
        var settings = SiloProcess.ClusterSettings(redis, keyPrefix);
        settings["ATELIER__Models__Host__Pinned__0"] = "sam-demo"; // resource-aware placement spreads sessions only where it is resident
        foreach (var (key, value) in membership)
        {
            settings[key] = value;
        }

        return SiloProcess.StartAsync(name, context.CacheRoot, settings, cancellationToken);
    }

    /// <summary>Opens sessions through <paramref name="entry"/> until <see cref="_sessionsPerVictim"/> are owned by <paramref name="target"/>; each is clicked once.</summary>
    private async Task<List<string>> SessionsOnAsync(SiloProcess entry, SiloProcess target, byte[] png, CancellationToken cancellationToken)
    {
        var owned = new List<string>();
        for (var attempt = 0; owned.Count < _sessionsPerVictim; attempt++)
        {
            if (attempt > _sessionsPerVictim * 20)
            {
                throw new InvalidOperationException($"placement never chose {target.Name}");
            }

            var (id, owner) = await SessionApi.OpenAsync(entry.Http, png, "image/png", model: null, cancellationToken).ConfigureAwait(false);
            if (owner == target.Name)
            {
                await TimedClickAsync(entry, id, 0, cancellationToken).ConfigureAwait(false);
                owned.Add(id);
            }
        }

        return owned;
    }

    /// <summary>Clicks until a click succeeds from a silo other than <paramref name="lost"/>; milliseconds since <paramref name="since"/>.</summary>
    private static async Task<(double Ms, int Failures, string? Error)> UntilAnsweredAsync(SiloProcess entry, string id, string lost, long since, CancellationToken cancellationToken)
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

            var (ok, silo, error) = await TryClickAsync(entry, id, i, cancellationToken).ConfigureAwait(false);
            if (ok && silo != lost)
            {
                return (Stopwatch.GetElapsedTime(since).TotalMilliseconds, failures, firstError);
            }

            firstError ??= error;

            failures += ok ? 0 : 1;
            await Task.Delay(10, cancellationToken).ConfigureAwait(false); // still the lost silo, or a failure: try again shortly
        }
    }

    private static async Task<double> TimedClickAsync(SiloProcess silo, string id, int i, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var (ok, _, _) = await TryClickAsync(silo, id, i, cancellationToken).ConfigureAwait(false);
        return ok ? Stopwatch.GetElapsedTime(start).TotalMilliseconds : throw new InvalidOperationException($"click on {id} via {silo.Name} failed");
    }

    private static async Task<(bool Ok, string? Silo, string? Error)> TryClickAsync(SiloProcess silo, string id, int i, CancellationToken cancellationToken)
    {
        var json = string.Create(CultureInfo.InvariantCulture, $$"""{"points":[[{{310 + (i % 20)}},240]],"labels":[1]}""");
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        try
        {
            using var response = await silo.Http.PostAsync(new Uri($"v1/sessions/{id}/segment", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
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

    private static async Task<Dictionary<string, long>> EncodeRunsAsync(SiloProcess silo, CancellationToken cancellationToken)
    {
        using var response = await silo.Http.GetAsync(new Uri("v1/models/sam-demo", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        var runs = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var residency in json.RootElement.GetProperty("residency").EnumerateArray())
        {
            runs[residency.GetProperty("silo").GetString()!] =
                residency.GetProperty("runsByOperation").TryGetProperty("encode", out var n) ? n.GetInt64() : 0;
        }

        return runs;
    }
}
