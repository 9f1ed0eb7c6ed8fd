using System.Diagnostics;
using Xunit.Abstractions;

namespace Atelier.Cluster.Tests;

/// <summary>Resource-aware placement across real silo processes: sessions go where their segmenter is resident.</summary>
[Collection(RedisCollection.Name)]
public sealed class ModelPlacementTests(RedisServerFixture redis, ITestOutputHelper output)
{
    [Fact]
    public async Task Sessions_of_a_model_resident_only_on_one_silo_are_placed_there_from_any_silo()
    {
        // sam-isnet is loaded (pinned) on m1 only; every silo has the default segmenter.
        await using var cluster = await SessionCluster.StartAsync(redis, ["m0", "m1", "m2"], environment: name =>
        {
            var environment = SessionCluster.DefaultEnvironment();
            if (name == "m1")
            {
                environment["ATELIER__Models__Host__Pinned__1"] = "sam-isnet";
            }

            return environment;
        });
        var (silos, api) = (cluster.Silos, cluster.Api);

        // m1's published load (what placement reads) names the model; give the other silos' views a few refreshes.
        await RedisMembershipTests.WaitUntil(
            async () => (await cluster.ReadTableAsync(redis)).Any(r => r.Name == "m1" && r.Load.ResidentModels.Contains("sam-isnet")),
            TimeSpan.FromSeconds(120));
        var settle = Stopwatch.StartNew();
        await RedisMembershipTests.WaitUntil(() => settle.Elapsed > cluster.Options.TableRefreshPeriod * 8, TimeSpan.FromSeconds(30));
        Assert.DoesNotContain((await cluster.ReadTableAsync(redis)).Where(r => r.Name != "m1"), r => r.Load.ResidentModels.Contains("sam-isnet"));

        var owners = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var (id, owner) = await api.OpenAsync(silos[i % 2 == 0 ? 0 : 2], SessionApi.Picture(), model: "sam-isnet");
            owners.Add(owner);
            using var click = await api.SegmentAsync(silos[i % 3], id);
            await SessionApi.EnsureAsync(click, silos[i % 3]);
            Assert.Equal(owner, SessionApi.Owner(click));
        }

        output.WriteLine("sam-isnet sessions placed on: " + string.Join(", ", owners));
        Assert.All(owners, o => Assert.Equal("m1", o));
    }
}
