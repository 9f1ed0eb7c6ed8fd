using System.Diagnostics;
using Xunit.Abstractions;

namespace Atelier.Cluster.Tests;

/// <summary>Resource-aware placement across real silo processes: sessions go where their segmenter is resident.</summary>
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
}
