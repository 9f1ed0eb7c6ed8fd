using System.Diagnostics;
using System.Globalization;
using Atelier.Runtime;
using Xunit.Abstractions;

namespace Atelier.Cluster.Tests;

/// <summary>Resource-aware placement across real silo processes: sessions go where their segmenter is resident, while
/// that silo has room.</summary>
[Collection(RedisCollection.Name)]
public sealed class ModelPlacementTests(RedisServerFixture redis, ITestOutputHelper output)
{
    [Fact]
    public async Task Sessions_of_a_tenant_model_resident_only_on_one_silo_are_placed_there_from_any_silo()
    {
        // A model store of this test (the shared cache is never written): the default segmenter and eraser copied from
        // the setup cache, plus a tenant's model (manifest "tenant"), loaded (pinned) on m1 only.
        using var store = new TempModelStore();
        store.Copy("sam-demo");
        store.Copy("lama-demo");
        store.Copy("sam-demo", asId: "acme-sam", tenant: "default"); // "default": the tenant of unauthenticated requests
        await using var cluster = await SessionCluster.StartAsync(redis, ["m0", "m1", "m2"], environment: name =>
        {
            var environment = SessionCluster.DefaultEnvironment();
            environment["ATELIER__Models__Store__RootPath"] = store.Root;
            if (name == "m1")
            {
                environment["ATELIER__Models__Host__Pinned__1"] = "acme-sam";
            }

            return environment;
        });
        var (silos, api) = (cluster.Silos, cluster.Api);

        // m1's published load (what placement reads) names the model; give the other silos' views a few refreshes.
        await RedisMembershipTests.WaitUntil(
            async () => (await cluster.ReadTableAsync(redis)).Any(r => r.Name == "m1" && r.Load.ResidentModels.Contains("acme-sam")),
            TimeSpan.FromSeconds(120));
        var settle = Stopwatch.StartNew();
        await RedisMembershipTests.WaitUntil(() => settle.Elapsed > cluster.Options.TableRefreshPeriod * 8, TimeSpan.FromSeconds(30));
        Assert.DoesNotContain((await cluster.ReadTableAsync(redis)).Where(r => r.Name != "m1"), r => r.Load.ResidentModels.Contains("acme-sam"));

        var owners = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            var (id, owner) = await api.OpenAsync(silos[i % 2 == 0 ? 0 : 2], SessionApi.Picture(), model: "acme-sam");
            owners.Add(owner);
            using var click = await api.SegmentAsync(silos[i % 3], id);
            await SessionApi.EnsureAsync(click, silos[i % 3]);
            Assert.Equal(owner, SessionApi.Owner(click));
        }

        output.WriteLine("acme-sam sessions placed on: " + string.Join(", ", owners));
        Assert.All(owners, o => Assert.Equal("m1", o));
    }

    [Fact]
    public async Task Sessions_of_a_tenant_model_land_on_its_silo_while_it_has_room_then_on_others_and_succeed()
    {
        // m1 holds the tenant's model and a small device budget: its two pinned demo models (a few KiB) plus room for
        // a handful of 4 MiB session embeddings above the default placement threshold (Runtime:PlacementMinFreeDeviceBytes,
        // 16 MiB). Opening a session encodes the image at once, so each session on m1 takes an embedding there.
        const long Embedding = 256L * 64 * 64 * sizeof(float);
        var threshold = new SiloRuntimeOptions().PlacementMinFreeDeviceBytes;
        var budget = threshold + (3 * Embedding) + (Embedding / 2);
        using var store = new TempModelStore();
        store.Copy("sam-demo");
        store.Copy("lama-demo");
        store.Copy("sam-demo", asId: "acme-sam", tenant: "default");
        await using var cluster = await SessionCluster.StartAsync(redis, ["m0", "m1", "m2"], environment: name =>
        {
            var environment = SessionCluster.DefaultEnvironment();
            environment["ATELIER__Models__Store__RootPath"] = store.Root;
            if (name == "m1")
            {
                environment["ATELIER__Models__Host__Pinned__1"] = "acme-sam";
                environment["ATELIER__Device__MemoryBudgetBytes"] = budget.ToString(CultureInfo.InvariantCulture);
            }

            return environment;
        });
        var (silos, api) = (cluster.Silos, cluster.Api);
        var via = silos[0]; // placement runs on the silo that receives the open

        async Task<SiloLoad> ReportedLoadOfM1() => (await cluster.ReadTableAsync(redis)).Single(r => r.Name == "m1").Load;

        await RedisMembershipTests.WaitUntil(async () => (await ReportedLoadOfM1()).ResidentModels.Contains("acme-sam"), TimeSpan.FromSeconds(120));
        var settle = Stopwatch.StartNew();
        await RedisMembershipTests.WaitUntil(() => settle.Elapsed > cluster.Options.TableRefreshPeriod * 8, TimeSpan.FromSeconds(30));
        Assert.Equal(budget, (await ReportedLoadOfM1()).DeviceBytesBudget);

        // While m1 reports room, every session of the tenant's model lands there. A placing silo's view can only be
        // older than Redis, i.e. show m1 with more room, so this holds whatever the refresh timing. After each session
        // the test waits for m1's next load report to show the embedding it took.
        var onM1 = new List<string>();
        var load = await ReportedLoadOfM1();
        while (load.FreeDeviceBytes >= threshold)
        {
            Assert.True(onM1.Count < 8, $"m1 still reports {load.FreeDeviceBytes} free bytes after {onM1.Count} sessions");
            var (id, owner) = await api.OpenAsync(via, SessionApi.Picture(), model: "acme-sam");
            Assert.True(owner == "m1", $"session {onM1.Count + 1} went to {owner} while m1 reported {load.FreeDeviceBytes} free bytes (room: {threshold})");
            onM1.Add(id);
            var used = load.DeviceBytesUsed;
            await RedisMembershipTests.WaitUntil(async () => (load = await ReportedLoadOfM1()).DeviceBytesUsed >= used + Embedding, TimeSpan.FromSeconds(60));
        }

        output.WriteLine($"m1 full after {onM1.Count} sessions: {load.DeviceBytesUsed} of {load.DeviceBytesBudget} bytes used");
        Assert.Equal(4, onM1.Count); // budget - threshold holds 3.5 embeddings: sessions 1..4 each found room

        // m1 reports no room. Until the placing silo's view has caught up, a session may still land on m1 (it succeeds:
        // m1 demotes an older embedding to host memory). Once one lands elsewhere the view has seen m1 full, and m1 stays
        // full (nothing frees its device memory), so the following ones all land elsewhere too. All succeed: no 503.
        var late = new List<string>();
        string firstElsewhere;
        while (true)
        {
            var (id, owner) = await api.OpenAsync(via, SessionApi.Picture(), model: "acme-sam"); // asserts 201 Created
            if (owner != "m1")
            {
                firstElsewhere = owner;
                break;
            }

            late.Add(id);
            Assert.True(late.Count <= 8, "sessions kept landing on m1 after it reported no room");
        }

        var elsewhere = new List<(string Id, string Owner)>();
        for (var i = 0; i < 4; i++)
        {
            elsewhere.Add(await api.OpenAsync(via, SessionApi.Picture(), model: "acme-sam"));
        }

        output.WriteLine($"after m1 was full: {late.Count} more on m1 (stale view), then {firstElsewhere}, "
            + string.Join(", ", elsewhere.Select(e => e.Owner)));
        Assert.All(elsewhere, e => Assert.NotEqual("m1", e.Owner));

        // Every session answers a click through any silo, executed by its owner: the early ones on m1, the later elsewhere.
        var sessions = onM1.Select(id => (Id: id, Owner: "m1")).Concat(late.Select(id => (Id: id, Owner: "m1"))).Concat(elsewhere).ToList();
        for (var i = 0; i < sessions.Count; i++)
        {
            using var click = await api.SegmentAsync(silos[i % 3], sessions[i].Id);
            await SessionApi.EnsureAsync(click, silos[i % 3]);
            Assert.Equal(sessions[i].Owner, SessionApi.Owner(click));
        }
    }
}
