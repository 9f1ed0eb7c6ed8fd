using Atelier.Runtime.Tests.Grains;
using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Runtime.Tests;

public sealed class IdleCollectionTests
{
    private static Task<Testing.TestCluster> StartAsync(Probe probe, ManualTimeProvider time) =>
        Clusters.StartAsync(1, probe, s => s.AddSingleton<TimeProvider>(time), o =>
        {
            o.CollectionAge = TimeSpan.FromMinutes(10);
            o.CollectionQuantum = TimeSpan.FromMinutes(1);
        });

    [Fact]
    public async Task Idle_activation_is_deactivated_after_the_configured_age_and_reactivates_on_the_next_call()
    {
        var probe = new Probe();
        var time = new ManualTimeProvider();
        await using var cluster = await StartAsync(probe, time);
        var grain = cluster.Silos[0].GrainFactory.GetGrain<ILifecycleGrain>("idle");
        Assert.Equal(1, await grain.Increment());

        time.Advance(TimeSpan.FromMinutes(9)); // collector ran 9 times; not old enough yet
        Assert.Equal(2, await grain.Increment());
        Assert.Equal(1, probe.Activations);

        time.Advance(TimeSpan.FromMinutes(11));
        await probe.Deactivated.Task.WithTimeout();
        var (key, _, reason) = Assert.Single(probe.Deactivations);
        Assert.Equal(("idle", DeactivationReason.IdleCollection), (key, reason));
        Assert.Equal(0, cluster.Directory.Count);

        Assert.Equal(1, await grain.Increment()); // a fresh activation: in-memory state started over
        Assert.Equal(2, probe.Activations);
    }

    [Fact]
    public async Task Collection_age_attribute_overrides_the_silo_default()
    {
        var probe = new Probe();
        var time = new ManualTimeProvider();
        await using var cluster = await StartAsync(probe, time);
        var factory = cluster.Silos[0].GrainFactory;
        await factory.GetGrain<IShortLivedGrain>("short").Increment();
        await factory.GetGrain<ILifecycleGrain>("long").Increment();

        time.Advance(TimeSpan.FromMinutes(3));
        await probe.Deactivated.Task.WithTimeout();

        var (key, _, reason) = Assert.Single(probe.Deactivations);
        Assert.Equal(("short", DeactivationReason.IdleCollection), (key, reason));
        Assert.Equal(1, await factory.GetGrain<ILifecycleGrain>("long").Increment() - 1);
    }

    [Fact]
    public async Task Always_active_grain_is_never_collected()
    {
        var probe = new Probe();
        var time = new ManualTimeProvider();
        await using var cluster = await StartAsync(probe, time);
        var modelHost = cluster.Silos[0].GrainFactory.GetSiloGrain<IModelHostGrain>();
        var idle = cluster.Silos[0].GrainFactory.GetGrain<ILifecycleGrain>("ordinary");
        Assert.Equal(1, await modelHost.Calls());
        await idle.Increment();

        time.Advance(TimeSpan.FromHours(2));
        await probe.Deactivated.Task.WithTimeout(); // the ordinary grain went

        Assert.Equal(2, await modelHost.Calls()); // same activation, state kept
        Assert.Equal(1, probe.Constructed);
    }

    [Fact]
    public async Task DeactivateOnIdle_ends_the_activation_after_the_current_call()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(1, probe);
        var grain = cluster.Silos[0].GrainFactory.GetGrain<ICounterGrain>("bye");
        await grain.Increment();

        await grain.Deactivate();
        await probe.Deactivated.Task.WithTimeout();

        Assert.Equal(DeactivationReason.ApplicationRequested, Assert.Single(probe.Deactivations).Reason);
        Assert.Equal(0, await grain.Get());
        Assert.Equal(2, probe.Activations);
    }
}
