using Atelier.Runtime.Tests.Grains;

namespace Atelier.Runtime.Tests;

public sealed class ShutdownTests
{
    [Fact]
    public async Task Stopping_a_silo_deactivates_every_activation_and_calls_OnDeactivateAsync()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(1, probe);
        var silo = cluster.Silos[0];
        for (var i = 0; i < 10; i++)
        {
            await silo.GrainFactory.GetGrain<ILifecycleGrain>($"g{i}").Increment();
        }

        Assert.Equal(10, silo.Runtime.ActivationCount);

        await cluster.StopSiloAsync(silo).WithTimeout();

        Assert.Equal(10, probe.Deactivations.Count);
        Assert.All(probe.Deactivations, d => Assert.Equal(DeactivationReason.ShuttingDown, d.Reason));
        Assert.Equal(0, silo.Runtime.ActivationCount);
        Assert.Equal(0, cluster.Directory.Count);
        Assert.Equal(SiloStatus.Dead, cluster.Membership.GetStatus(silo.Address));
    }

    [Fact]
    public async Task Shutdown_finishes_at_the_deadline_when_OnDeactivateAsync_hangs_and_its_token_fires()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(1, probe, options: o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(200));
        var silo = cluster.Silos[0];
        await silo.GrainFactory.GetGrain<IStubbornGrain>("stubborn").Touch();
        await silo.GrainFactory.GetGrain<ILifecycleGrain>("polite").Increment();

        await cluster.StopSiloAsync(silo).WithTimeout();

        await probe.CancelObserved.Task.WithTimeout();
        Assert.Equal(0, silo.Runtime.ActivationCount);
        Assert.Equal(0, cluster.Directory.Count);
        probe.Gate.SetResult();
    }

    [Fact]
    public async Task After_a_silo_stops_its_grains_reactivate_on_the_remaining_silo()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(2, probe);
        var (first, second) = (cluster.Silos[0], cluster.Silos[1]);
        var grain = first.GrainFactory.GetGrain<IRemoteGrain>("survivor");
        Assert.Equal(first.Address.ToString(), await grain.Silo());

        await cluster.StopSiloAsync(first).WithTimeout();

        Assert.Equal(second.Address.ToString(), await second.GrainFactory.GetGrain<IRemoteGrain>("survivor").Silo());
    }

    [Fact]
    public async Task A_call_that_reaches_a_silo_during_its_shutdown_is_served_by_another_silo()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(2, probe);
        var (stopping, staying) = (cluster.Silos[0], cluster.Silos[1]);
        Assert.Equal(stopping.Address.ToString(), await stopping.GrainFactory.GetGrain<IStubbornGrain>("moving").Silo());

        var stop = cluster.StopSiloAsync(stopping);
        await probe.Entered.Task.WithTimeout(); // OnDeactivateAsync is running on the stopping silo
        var call = staying.GrainFactory.GetGrain<IStubbornGrain>("moving").Silo();
        probe.Gate.SetResult();

        Assert.Equal(staying.Address.ToString(), await call.WithTimeout());
        await stop.WithTimeout();
    }

    [Fact]
    public async Task Grains_of_a_killed_silo_reactivate_elsewhere_taking_over_the_stale_directory_entry()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(2, probe);
        var (victim, survivor) = (cluster.Silos[0], cluster.Silos[1]);
        var grain = survivor.GrainFactory.GetGrain<IMigratingGrain>("orphan");
        await victim.GrainFactory.GetGrain<IMigratingGrain>("orphan").Add("lost with the process");
        Assert.Equal(victim.Address.ToString(), await grain.Silo()); // the survivor has it cached

        await cluster.KillSiloAsync(victim);
        var stale = await cluster.Directory.LookupAsync(grain.GetGrainId(), CancellationToken.None);
        Assert.Equal(victim.Address, stale!.Silo); // a dead process leaves its entries behind

        Assert.Equal(survivor.Address.ToString(), await grain.Silo().WithTimeout());
        var entry = await cluster.Directory.LookupAsync(grain.GetGrainId(), CancellationToken.None);
        Assert.Equal(survivor.Address, entry!.Silo);
        Assert.Empty(await grain.Items()); // a fresh activation: in-memory state died with the silo
        Assert.Empty(probe.Deactivations); // nothing ran on the killed silo
    }
}
