using System.Net.Http.Json;
using System.Text.Json;

namespace Atelier.Cluster.Tests;

/// <summary>
/// Real silo processes forming one Orleans cluster through a real Redis (Redis membership, the Redis session store),
/// isolated from every other cluster on that Redis by a key prefix of their own (also the Orleans cluster id). Every
/// silo has <c>sam-demo</c> pinned (resident from the start, so placement spreads sessions by free device memory) and
/// no per-tenant rate limit; the Orleans membership settings are the product's defaults.
/// </summary>
internal sealed class SessionCluster : IAsyncDisposable
{
    private readonly Func<string, Dictionary<string, string>>? _environment;

    private SessionCluster(string redis, string keyPrefix, Func<string, Dictionary<string, string>>? environment, HttpClient http)
    {
        Redis = redis;
        KeyPrefix = keyPrefix;
        _environment = environment;
        Http = http;
        Api = new SessionApi(http);
    }

    /// <summary>The StackExchange.Redis configuration the silos use.</summary>
    public string Redis { get; }

    public string KeyPrefix { get; }

    /// <summary>Every silo started, live or not (the test decides which it stops).</summary>
    public List<SiloProcess> Silos { get; } = [];

    public HttpClient Http { get; }

    public SessionApi Api { get; }

    public static Dictionary<string, string> DefaultEnvironment() => new()
    {
        ["ATELIER__Models__Host__Pinned__0"] = "sam-demo",
    };

    /// <summary>Starts silos <paramref name="names"/> together and waits until each lists all of them as active.</summary>
    public static async Task<SessionCluster> StartAsync(
        string redis, string keyPrefix, string[] names, Func<string, Dictionary<string, string>>? environment = null, string? apiKey = null)
    {
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
        if (apiKey is not null)
        {
            http.DefaultRequestHeaders.Add("X-Api-Key", apiKey); // every request of the helpers acts as that key's tenant
        }

        var cluster = new SessionCluster(redis, keyPrefix, environment, http);
        try
        {
            foreach (var name in names)
            {
                cluster.Silos.Add(cluster.Launch(name));
            }

            await cluster.WaitForMembersAsync(cluster.Silos);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>Starts one more silo and waits until it and every other live silo list each other as active.</summary>
    public async Task<SiloProcess> AddSiloAsync(string name)
    {
        var silo = Launch(name);
        Silos.Add(silo);
        await WaitForMembersAsync(Live);
        return silo;
    }

    /// <summary>The silos whose process is still running.</summary>
    public SiloProcess[] Live => [.. Silos.Where(s => !s.HasExited)];

    /// <summary>Waits until every silo of <paramref name="members"/> lists exactly them, all active, in <c>GET /v1/cluster</c>.</summary>
    public async Task WaitForMembersAsync(IReadOnlyCollection<SiloProcess> members)
    {
        var expected = members.Select(s => s.Name).Order(StringComparer.Ordinal).ToArray();
        foreach (var silo in members)
        {
            var last = "(no answer)";
            await Eventually.UntilAsync(async () =>
            {
                if (silo.HasExited)
                {
                    Assert.Fail($"silo {silo.Name} exited ({silo.ExitCode})\n{silo.OutputTail}");
                }

                try
                {
                    var view = await ViewAsync(silo);
                    last = string.Join(", ", view.Select(s => $"{s.Name}:{s.Status}"));
                    return view.Select(s => s.Name).Order(StringComparer.Ordinal).SequenceEqual(expected) && view.All(s => s.Status == "active");
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return false; // not listening yet
                }
            }, () => $"silo {silo.Name} to list [{string.Join(", ", expected)}] as active; last: {last}\n{silo.OutputTail}");
        }
    }

    /// <summary>One row of <c>GET /v1/cluster</c>.</summary>
    public sealed record Member(string Name, string Status, int Sessions, long DeviceBytesUsed, long DeviceBytesBudget, string[] ResidentModels);

    /// <summary><c>GET /v1/cluster</c> through <paramref name="via"/>.</summary>
    public async Task<Member[]> ViewAsync(SiloProcess via)
    {
        using var response = await Http.GetAsync(new Uri(via.BaseAddress, "/v1/cluster"));
        await SessionApi.EnsureAsync(response, via);
        Assert.Equal(via.Name, SessionApi.Owner(response));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return [.. body.GetProperty("silos").EnumerateArray().Select(s => new Member(
            s.GetProperty("name").GetString()!,
            s.GetProperty("status").GetString()!,
            s.GetProperty("sessions").GetInt32(),
            s.GetProperty("deviceBytesUsed").GetInt64(),
            s.GetProperty("deviceBytesBudget").GetInt64(),
            [.. s.GetProperty("residentModels").EnumerateArray().Select(m => m.GetString()!)]))];
    }

    /// <summary>Opens <paramref name="count"/> sessions through <paramref name="via"/>, four at a time.</summary>
    public async Task<List<(string Id, string Owner)>> OpenManyAsync(SiloProcess via, int count, string? model = null)
    {
        var picture = SessionApi.Picture();
        var opened = new List<(string, string)>();
        for (var done = 0; done < count; done += 4)
        {
            opened.AddRange(await Task.WhenAll(Enumerable.Range(0, Math.Min(4, count - done)).Select(_ => Api.OpenAsync(via, picture, model))));
        }

        return opened;
    }

    /// <summary>Encoder runs of <c>sam-demo</c> per silo, from <c>GET /v1/models/sam-demo</c> (residency of every active silo).</summary>
    public async Task<Dictionary<string, long>> EncodeRunsAsync(SiloProcess via)
    {
        using var response = await Http.GetAsync(new Uri(via.BaseAddress, "/v1/models/sam-demo"));
        await SessionApi.EnsureAsync(response, via);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var runs = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var residency in body.GetProperty("residency").EnumerateArray())
        {
            var operations = residency.GetProperty("runsByOperation");
            runs[residency.GetProperty("silo").GetString()!] = operations.TryGetProperty("encode", out var n) ? n.GetInt64() : 0;
        }

        return runs;
    }

    /// <summary>The output tails of every silo started (for failure messages).</summary>
    public string OutputTails => string.Join('\n', Silos.Select(s => s.OutputTail));

    private SiloProcess Launch(string name) => SiloProcess.Start(name, Redis, KeyPrefix, _environment?.Invoke(name) ?? DefaultEnvironment());

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
