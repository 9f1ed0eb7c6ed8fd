using Atelier.Runtime.Tests.Grains;

namespace Atelier.Runtime.Tests;

public sealed class PerSiloGrainTests
{
    [Fact]
    public async Task Each_silo_has_exactly_one_activation_and_callers_can_address_any_silo()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(3, probe);
        var silos = cluster.Silos;

        foreach (var caller in silos)
        {
            Assert.Equal(caller.Address.ToString(), await caller.GrainFactory.GetSiloGrain<IModelHostGrain>().Silo());
            foreach (var target in silos)
            {
                Assert.Equal(target.Address.ToString(), await caller.GrainFactory.GetSiloGrain<IModelHostGrain>(target.Address).Silo());
            }
        }

        Assert.Equal(3, probe.Constructed);
        Assert.All(silos, s => Assert.Equal(1, s.Runtime.ActivationCount));
        Assert.Equal(0, cluster.Directory.Count); // per-silo grains are never in the directory
        Assert.Equal(5, await silos[2].GrainFactory.GetSiloGrain<IModelHostGrain>().Calls()); // 4 calls above + this one
    }
}
