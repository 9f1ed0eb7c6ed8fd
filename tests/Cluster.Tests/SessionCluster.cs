using Atelier.Runtime;

namespace Atelier.Cluster.Tests;

/// <summary>
/// N real silo processes in cluster mode sharing the test Redis, tuned for a loaded 2-core machine: heartbeats every
/// 250 ms with a 3 s limit, probes every 500 ms (3 missed → suspicion), no per-tenant rate limit, and the default
/// segmenter pinned (resident from the start on every silo, so placement spreads by free device memory).
/// </summary>
internal sealed class SessionCluster : IAsyncDisposable
{
    private SessionCluster(ClusterOptions options, SiloProcess[] silos, HttpClient http)
    {
        Options = options;
        Silos = silos;
        Http = http;
        Api = new SessionApi(http);
    }

    public ClusterOptions Options { get; }

    public SiloProcess[] Silos { get; }

    public HttpClient Http { get; }

    public SessionApi Api { get; }

    public static ClusterOptions DefaultOptions(RedisServerFixture redis)
    {
        var options = redis.NewOptions();
        options.HeartbeatPeriod = TimeSpan.FromMilliseconds(250);
        options.TableRefreshPeriod = TimeSpan.FromMilliseconds(250);
        options.MissedHeartbeatsLimit = 12;
        options.ProbePeriod = TimeSpan.FromMilliseconds(500);
        options.ProbeTimeout = TimeSpan.FromSeconds(2);
        options.MissedProbesLimit = 3;
        return options;
    }

    public static Dictionary<string, string> DefaultEnvironment() => new()
    {
        ["ATELIER__Security__RatePerSecond"] = "0",
        ["ATELIER__Models__Host__Pinned__0"] = "sam-demo",
    };

    public static async Task<SessionCluster> StartAsync(
        RedisServerFixture redis, string[] names, ClusterOptions? options = null, Func<string, Dictionary<string, string>>? environment = null,
        string? apiKey = null)
    {
        options ??= DefaultOptions(redis);
        var silos = names.Select(n => SiloProcess.Start(n, options, environment?.Invoke(n) ?? DefaultEnvironment())).ToArray();
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
        if (apiKey is not null)
        {
            http.DefaultRequestHeaders.Add("X-Api-Key", apiKey); // silos with Security:ApiKeys: every request of the helpers acts as its tenant
        }

        var cluster = new SessionCluster(options, silos, http);
        try
        {
            foreach (var silo in silos)
            {
                await SiloProcessTests.WaitForClusterAsync(http, silo, [.. names.Order()]);
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>Opens <paramref name="count"/> sessions through <paramref name="via"/>, four at a time.</summary>
    public async Task<List<(string Id, string Owner)>> OpenManyAsync(SiloProcess via, int count, byte[] picture, string? model = null)
    {
        var opened = new List<(string, string)>();
        for (var done = 0; done < count; done += 4)
        {
            var batch = await Task.WhenAll(Enumerable.Range(0, Math.Min(4, count - done)).Select(_ => Api.OpenAsync(via, picture, model)));
            opened.AddRange(batch);
        }

        return opened;
    }

    /// <summary>The membership table as Redis holds it now.</summary>
    public async Task<IReadOnlyCollection<MembershipRow>> ReadTableAsync(RedisServerFixture redis)
    {
        await using var table = redis.NewMembership(Options);
        await table.RefreshAsync(default);
        return table.Rows;
    }

    public ValueTask DisposeAsync()
    {
        foreach (var silo in Silos)
        {
            silo.Dispose();
        }

        Http.Dispose();
        return ValueTask.CompletedTask;
    }
}
