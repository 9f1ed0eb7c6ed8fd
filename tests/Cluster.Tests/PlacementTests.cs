using System.Globalization;
using Xunit.Abstractions;

namespace Atelier.Cluster.Tests;

/// <summary>
/// Placement across real silo processes (our director, run by the silo that receives the open): a session goes to a
/// silo where its segmenter is resident while that silo has room on the device, and elsewhere once it has not.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class PlacementTests(RedisServerFixture redis, ITestOutputHelper output)
{
    /// <summary>One session's SAM embedding: 256×64×64 fp32 (the default precision).</summary>
    private const long Embedding = 256L * 64 * 64 * sizeof(float);

    /// <summary>The product default of Placement:MinFreeDeviceBytes (16 MiB): less free than this is no room.</summary>
    private const long Threshold = 16L * 1024 * 1024;

    [Fact]
    public async Task Sessions_of_a_model_land_on_the_silo_holding_it_while_it_has_room_then_on_others()
    {
        // m1 alone holds the tenant's model acme-sam, with a device budget of the threshold plus room for 3.5 session
        // embeddings (the pinned demo models take a few KiB): sessions 1..4 each find at least the threshold free.
        var budget = Threshold + (3 * Embedding) + (Embedding / 2);
        using var store = new TempModelStore();
        store.Copy("sam-demo");
        store.Copy("lama-demo");
        store.Copy("sam-demo", asId: "acme-sam", tenant: "default"); // "default": the tenant of unauthenticated requests
        await using var cluster = await SessionCluster.StartAsync(redis.Configuration, redis.NewPrefix("placement"), ["m0", "m1", "m2"], name =>
        {
            var environment = SessionCluster.DefaultEnvironment();
            environment["ATELIER__Models__Store__RootPath"] = store.Root;
            environment["ATELIER__Placement__RefreshPeriod"] = "00:00:00.250";
            if (name == "m1")
            {
                environment["ATELIER__Models__Host__Pinned__1"] = "acme-sam";
                environment["ATELIER__Device__MemoryBudgetBytes"] = budget.ToString(CultureInfo.InvariantCulture);
            }

            return environment;
        });
        var (m0, m1, m2) = (cluster.Silos[0], cluster.Silos[1], cluster.Silos[2]);

        async Task<SessionCluster.Member> M1Async() => (await cluster.ViewAsync(m1)).Single(s => s.Name == "m1");

        var before = await M1Async();
        Assert.Contains("acme-sam", before.ResidentModels);
        Assert.Equal(budget, before.DeviceBytesBudget);
        Assert.All((await cluster.ViewAsync(m0)).Where(s => s.Name != "m1"), s => Assert.DoesNotContain("acme-sam", s.ResidentModels));

        // The placing silos poll every silo's figures every 250 ms: give their cached views time to hold m1's model
        // (a placing silo whose view is older can only send a session elsewhere, which the loop below would report).
        await Task.Delay(TimeSpan.FromSeconds(3));

        // While m1 reports room (asked live), every acme-sam session opened through m0 or m2 lands on m1. A placing
        // silo's cached view can only be older, i.e. show m1 with more room, so this holds whatever the poll timing.
        var onM1 = new List<string>();
        var m1Now = before;
        while (m1Now.DeviceBytesBudget - m1Now.DeviceBytesUsed >= Threshold)
        {
            Assert.True(onM1.Count < 8, $"m1 still reports {m1Now.DeviceBytesBudget - m1Now.DeviceBytesUsed} free bytes after {onM1.Count} sessions");
            var via = onM1.Count % 2 == 0 ? m0 : m2;
            var (id, owner) = await cluster.Api.OpenAsync(via, SessionApi.Picture(), model: "acme-sam");
            Assert.True(owner == "m1",
                $"session {onM1.Count + 1} (opened through {via.Name}) went to {owner} while m1 had {m1Now.DeviceBytesBudget - m1Now.DeviceBytesUsed} bytes free");
            onM1.Add(id);
            m1Now = await M1Async(); // the open encoded the image on m1: its embedding is in m1's figures now
            Assert.True(m1Now.DeviceBytesUsed >= before.DeviceBytesUsed + (onM1.Count * Embedding), $"m1 reports {m1Now.DeviceBytesUsed} bytes used after {onM1.Count} sessions");
        }

        output.WriteLine($"m1 full after {onM1.Count} sessions: {m1Now.DeviceBytesUsed} of {m1Now.DeviceBytesBudget} bytes used");
        Assert.Equal(4, onM1.Count);

        // m1 has no room now. A placing silo whose view predates that may still send a session there (it succeeds: m1
        // demotes an older embedding to host memory); once one lands elsewhere that view has seen m1 full, and m1 stays
        // full, so the following ones all land elsewhere. Every open succeeds (201).
        // The bound is time, not a count: a view is at most one poll (RefreshPeriod, plus the poll's own 5 × RefreshPeriod
        // timeout under load) old, and opens can be fast enough for many to fit in that (a CI run saw 9).
        var late = 0;
        var since = System.Diagnostics.Stopwatch.StartNew();
        while ((await cluster.Api.OpenAsync(m0, SessionApi.Picture(), model: "acme-sam")).Owner == "m1")
        {
            late++;
            Assert.True(since.Elapsed < TimeSpan.FromSeconds(10), $"sessions kept landing on m1 for {since.Elapsed.TotalSeconds:0.0} s ({late} opens) after it reported no room");
        }

        var elsewhere = new List<(string Id, string Owner)>();
        for (var i = 0; i < 4; i++)
        {
            elsewhere.Add(await cluster.Api.OpenAsync(m0, SessionApi.Picture(), model: "acme-sam"));
        }

        output.WriteLine($"after m1 was full: {late} more on m1 (a view not yet refreshed), then " + string.Join(", ", elsewhere.Select(e => e.Owner)));
        Assert.All(elsewhere, e => Assert.NotEqual("m1", e.Owner));

        // The sessions placed elsewhere work: a click through any silo runs on their owner, which loaded acme-sam for them.
        for (var i = 0; i < elsewhere.Count; i++)
        {
            var via = cluster.Silos[i % 3];
            using var click = await cluster.Api.SegmentAsync(via, elsewhere[i].Id);
            await SessionApi.EnsureAsync(click, via);
            Assert.Equal(elsewhere[i].Owner, SessionApi.Owner(click));
        }
    }
}
