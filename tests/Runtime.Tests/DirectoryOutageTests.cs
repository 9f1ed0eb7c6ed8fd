using Atelier.Runtime.Tests.Grains;
using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Runtime.Tests;

public sealed class DirectoryOutageTests
{
    [Fact]
    public async Task A_grain_whose_id_the_caller_minted_activates_while_the_directory_is_down_and_registers_when_it_is_back()
    {
        var directory = new OutageGrainDirectory { Down = true };
        await using var cluster = await Clusters.StartAsync(2, new Probe(), s => s.AddSingleton<IGrainDirectory>(directory),
            o => o.LoadReportPeriod = TimeSpan.FromMilliseconds(50));
        var (here, there) = (cluster.Silos[0], cluster.Silos[1]);

        // Without the hint (or with a hint naming another grain) nobody can tell where the grain lives: unavailable.
        await Assert.ThrowsAsync<ClusterUnavailableException>(() => here.GrainFactory.GetGrain<IRecoveringGrain>("old").WasNew());
        RequestContext.Set(PlacementHints.NewGrainKey, "someone-else");
        await Assert.ThrowsAsync<ClusterUnavailableException>(() => here.GrainFactory.GetGrain<IRecoveringGrain>("old").WasNew());

        RequestContext.Set(PlacementHints.NewGrainKey, "fresh");
        var fresh = here.GrainFactory.GetGrain<IRecoveringGrain>("fresh");
        Assert.True(await fresh.WasNew().WithTimeout());
        RequestContext.Remove(PlacementHints.NewGrainKey);
        var activation = await fresh.ActivationId().WithTimeout();
        Assert.Equal(1, here.Runtime.DeferredRegistrations);
        Assert.Equal(0, directory.Count);

        directory.Down = false;
        await TaskExtensions.WaitUntilAsync(() => here.Runtime.DeferredRegistrations == 0);
        var entry = await directory.LookupAsync(new GrainId(typeof(IRecoveringGrain).FullName!, "fresh"), default);
        Assert.Equal(here.Address, entry?.Silo);

        // Any silo now reaches the one activation.
        Assert.Equal(activation, await there.GrainFactory.GetGrain<IRecoveringGrain>("fresh").ActivationId().WithTimeout());
        Assert.Equal(1, cluster.Silos.Sum(s => s.Runtime.ActivationCount));
    }

    [Fact]
    public async Task Reasserting_a_lost_directory_registers_live_activations_again_and_asks_them_to_write_their_state_back()
    {
        var directory = new OutageGrainDirectory();
        await using var cluster = await Clusters.StartAsync(2, new Probe(), s => s.AddSingleton<IGrainDirectory>(directory));
        var (here, there) = (cluster.Silos[0], cluster.Silos[1]);
        var grain = here.GrainFactory.GetGrain<IRecoveringGrain>("alive");
        Assert.False(await grain.WasNew().WithTimeout()); // an ordinary first call: state may exist somewhere
        var activation = await grain.ActivationId().WithTimeout();
        var owner = cluster.Silos.Single(s => s.Runtime.ActivationCount == 1);

        directory.LoseEverything();
        Assert.Equal(0, await owner.Runtime.ReassertDirectoryAsync(default).WithTimeout());

        Assert.Equal(owner.Address, (await directory.LookupAsync(new GrainId(typeof(IRecoveringGrain).FullName!, "alive"), default))?.Silo);
        Assert.Equal(1, await there.GrainFactory.GetGrain<IRecoveringGrain>("alive").StorageLostCalls().WithTimeout());
        Assert.Equal(activation, await there.GrainFactory.GetGrain<IRecoveringGrain>("alive").ActivationId().WithTimeout());
    }
}
