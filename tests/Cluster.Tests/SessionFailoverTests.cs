using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Atelier.Runtime;
using Xunit.Abstractions;

namespace Atelier.Cluster.Tests;

/// <summary>kill -9 of a session owner under load, with three real silo processes.</summary>
[Collection(RedisCollection.Name)]
public sealed class SessionFailoverTests(RedisServerFixture redis, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Killing_the_owner_of_20_sessions_under_click_load_loses_none_and_an_erase_retried_with_its_key_applies_once()
    {
        await using var cluster = await SessionCluster.StartAsync(redis, ["f0", "f1", "f2"]);
        var (silos, api) = (cluster.Silos, cluster.Api);
        var picture = SessionApi.Picture();

        // Open through f0 until another silo owns 20 sessions: that silo is the victim.
        var sessions = new List<(string Id, string Owner)>();
        string? victimName = null;
        while (victimName is null)
        {
            Assert.True(sessions.Count < 240, "placement never gave 20 sessions to one of f1/f2");
            sessions.AddRange(await cluster.OpenManyAsync(silos[0], 4, picture));
            victimName = sessions.Where(s => s.Owner != "f0").GroupBy(s => s.Owner).FirstOrDefault(g => g.Count() >= 20)?.Key;
        }

        var victim = silos.Single(s => s.Name == victimName);
        var survivors = silos.Where(s => s != victim).ToArray();
        var doomed = sessions.Where(s => s.Owner == victimName).Take(20).Select(s => s.Id).ToArray();

        // An applied erase with an idempotency key, on a session the victim owns.
        var erased = doomed[0];
        byte[] firstErase;
        using (var erase = await api.EraseAsync(survivors[0], erased, "erase-once"))
        {
            await SessionApi.EnsureAsync(erase, survivors[0]);
            Assert.Equal(victimName, SessionApi.Owner(erase));
            firstErase = await erase.Content.ReadAsByteArrayAsync();
        }

        Assert.Equal(1, await api.VersionAsync(survivors[1], erased));

        // A steady click load through the surviving silos, over every session.
        using var stop = new CancellationTokenSource();
        var failures = new ConcurrentQueue<string>();
        var clicks = 0;
        var load = Task.Run(async () =>
        {
            var random = new Random(3);
            while (!stop.IsCancellationRequested)
            {
                var (id, _) = sessions[random.Next(sessions.Count)];
                var via = survivors[random.Next(survivors.Length)];
                using var response = await api.SegmentAsync(via, id);
                Interlocked.Increment(ref clicks);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Enqueue($"{id} via {via.Name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        });
        await RedisMembershipTests.WaitUntil(() => Volatile.Read(ref clicks) >= 20, Patience);

        victim.KillHard();
        var killed = Stopwatch.StartNew();
        var recovered = await Task.WhenAll(doomed.Select(async (id, i) =>
        {
            var via = survivors[i % 2];
            while (true)
            {
                // The first session's client goes on refining: its low-res logits died with the owner, so the refine
                // runs as a plain click of the same points instead of failing.
                using var response = i == 0 ? await api.RefineAsync(via, id) : await api.SegmentAsync(via, id);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return (Id: id, Owner: SessionApi.Owner(response), Seconds: killed.Elapsed.TotalSeconds);
                }

                Assert.True(killed.Elapsed < Patience, $"{id} did not answer again: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                await Task.Delay(100);
            }
        }));
        await stop.CancelAsync();
        await load;

        output.WriteLine($"{sessions.Count} sessions, victim {victimName}; clicks {clicks}; recovery seconds after kill: "
            + string.Join(", ", recovered.Select(r => r.Seconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture))));
        Assert.All(recovered, r => Assert.Contains(r.Owner, survivors.Select(s => s.Name)));
        Assert.Empty(failures); // requests in flight or sent meanwhile were retried: slower, never an error

        // No session lost: every one answers, with its image size and version.
        foreach (var (id, _) in sessions)
        {
            Assert.Equal(id == erased ? 1 : 0, await api.VersionAsync(survivors[0], id));
        }

        // The same erase again (a client retrying after a lost answer), through the other survivor: answered, not re-applied.
        using (var retry = await api.EraseAsync(survivors[1], erased, "erase-once"))
        {
            await SessionApi.EnsureAsync(retry, survivors[1]);
            Assert.Equal(firstErase, await retry.Content.ReadAsByteArrayAsync());
        }

        Assert.Equal(1, await api.VersionAsync(survivors[0], erased));
        using (var another = await api.EraseAsync(survivors[0], erased, "erase-twice"))
        {
            await SessionApi.EnsureAsync(another, survivors[0]);
        }

        Assert.Equal(2, await api.VersionAsync(survivors[1], erased));

        // The others declared the victim dead.
        foreach (var survivor in survivors)
        {
            await SiloProcessTests.WaitForClusterAsync(cluster.Http, survivor, [.. survivors.Select(s => s.Name).Order()]);
        }

        Assert.Equal(SiloStatus.Dead, (await cluster.ReadTableAsync(redis)).Single(r => r.Name == victimName).Status);
    }
}
