using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Atelier.Cluster.Tests;

/// <summary>
/// Redis killed and restarted on the same port (password required) under a click load on three real silo processes:
/// with its data (append-only file, the recommended deployment) or empty (it lost everything: silos write their
/// membership rows and directory entries again).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisOutageTests(RedisServerFixture redis, ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Sessions_keep_answering_and_opening_while_redis_is_down_and_the_cluster_reforms_without_duplicates_or_lost_data(bool restartsEmpty)
    {
        using var store = new RedisProcess(password: "outage-test-password");
        await store.StartAsync();
        var options = SessionCluster.DefaultOptions(redis);
        options.Redis = store.Configuration; // password= in the configuration string: requirepass is honoured
        await using var cluster = await SessionCluster.StartAsync(redis, ["o0", "o1", "o2"], options);
        var (silos, api) = (cluster.Silos, cluster.Api);
        var sessions = await cluster.OpenManyAsync(silos[0], 9, SessionApi.Picture());

        // Every silo resolves every owner once (its directory cache), as any client traffic would.
        foreach (var (id, owner) in sessions)
        {
            foreach (var silo in silos)
            {
                using var info = await api.InfoAsync(silo, id);
                await SessionApi.EnsureAsync(info, silo);
                Assert.Equal(owner, SessionApi.Owner(info));
            }
        }

        using var stop = new CancellationTokenSource();
        var failures = new ConcurrentQueue<string>();
        var clicks = 0;
        var load = Task.Run(async () =>
        {
            var random = new Random(5);
            while (!stop.IsCancellationRequested)
            {
                var (id, owner) = sessions[random.Next(sessions.Count)];
                var via = silos[random.Next(silos.Length)];
                using var response = await api.SegmentAsync(via, id);
                Interlocked.Increment(ref clicks);
                if (response.StatusCode != HttpStatusCode.OK || SessionApi.Owner(response) != owner)
                {
                    failures.Enqueue($"{id} via {via.Name}: {(int)response.StatusCode} owner '{SessionApi.Owner(response)}' "
                        + await response.Content.ReadAsStringAsync());
                }
            }
        });
        await RedisMembershipTests.WaitUntil(() => Volatile.Read(ref clicks) >= 10, TimeSpan.FromSeconds(120));

        await store.KillAsync();
        var outage = Stopwatch.StartNew();
        var clicksAtKill = Volatile.Read(ref clicks);

        // A session nobody here knows needs the directory: 503 with a stable code and Retry-After, the silo stays healthy.
        using (var unknown = await api.InfoAsync(silos[1], "NoSuchSessionDuringTheOutage"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unknown.StatusCode);
            Assert.True(unknown.Headers.RetryAfter is not null, "Retry-After missing");
            var problem = await unknown.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("cluster_unavailable", problem.GetProperty("code").GetString());
        }

        // A new session opens during the outage on the silo that received it (registered when Redis is back), and an
        // edit applied during the outage succeeds (its store write waits for Redis).
        var (opened, openedOwner) = await api.OpenAsync(silos[1], SessionApi.Picture());
        Assert.Equal(silos[1].Name, openedOwner);
        using (var click = await api.SegmentAsync(silos[1], opened))
        {
            await SessionApi.EnsureAsync(click, silos[1]);
        }

        var (edited, editedOwner) = sessions[0];
        var editedVia = silos.Single(s => s.Name == editedOwner);
        using (var erase = await api.EraseAsync(editedVia, edited, "erase-during-outage"))
        {
            await SessionApi.EnsureAsync(erase, editedVia);
        }

        // Stay down longer than the heartbeat limit (3 s) while clicks go on.
        await RedisMembershipTests.WaitUntil(
            () => outage.Elapsed > TimeSpan.FromSeconds(5) && Volatile.Read(ref clicks) >= clicksAtKill + 20, TimeSpan.FromSeconds(120));
        var clicksDuringOutage = Volatile.Read(ref clicks) - clicksAtKill;

        await store.StartAsync(empty: restartsEmpty); // same port
        foreach (var silo in silos)
        {
            await SiloProcessTests.WaitForClusterAsync(cluster.Http, silo, ["o0", "o1", "o2"]);
        }

        // Past the outage grace, nobody declared anybody dead (every heartbeat was stale when Redis came back).
        var back = Stopwatch.StartNew();
        await RedisMembershipTests.WaitUntil(
            () => back.Elapsed > options.HeartbeatPeriod * (options.MissedHeartbeatsLimit + 4), TimeSpan.FromSeconds(120));
        await stop.CancelAsync();
        await load;
        output.WriteLine($"clicks {clicks}, of which during the outage {clicksDuringOutage}");
        Assert.Empty(failures);
        Assert.All(silos, s => Assert.False(s.HasExited, $"{s.Name} exited:\n{s.OutputTail}"));
        foreach (var silo in silos)
        {
            await SiloProcessTests.WaitForClusterAsync(cluster.Http, silo, ["o0", "o1", "o2"]);
        }

        // Every session is in the directory (re-registered after an empty restart, registered late when opened during
        // the outage) and in the store, with the edit made during the outage: nothing was lost.
        var all = sessions.Append((opened, openedOwner)).ToList();
        using (var fresh = await ConnectionMultiplexer.ConnectAsync(store.Configuration))
        {
            var db = fresh.GetDatabase();
            foreach (var (id, _) in all)
            {
                var entry = (string?)await db.StringGetAsync($"{options.KeyPrefix}:dir:{typeof(Atelier.Grains.ISessionGrain).FullName}/{id}");
                Assert.False(string.IsNullOrEmpty(entry), $"no directory entry for {id} after the restart");
                var stored = $"{options.KeyPrefix}:session:{id}";
                await RedisMembershipTests.WaitUntil(() => db.KeyExists(stored), TimeSpan.FromSeconds(30));
            }

            var editedKey = $"{options.KeyPrefix}:session:{edited}";
            await RedisMembershipTests.WaitUntil(() => db.HashExists(editedKey, "v1"), TimeSpan.FromSeconds(30));
        }

        Assert.Equal(1, await api.VersionAsync(silos[2], edited));

        // One activation per session: every silo names the same owner as before, and a new session opens normally.
        foreach (var (id, owner) in all)
        {
            foreach (var silo in silos)
            {
                using var info = await api.InfoAsync(silo, id);
                await SessionApi.EnsureAsync(info, silo);
                Assert.Equal(owner, SessionApi.Owner(info));
            }
        }

        await api.OpenAsync(silos[2], SessionApi.Picture());
    }
}
