using Atelier.Runtime.Tests.Grains;

namespace Atelier.Runtime.Tests;

/// <summary>Stopping a silo drains it: migration participants move with their state, other grains deactivate.</summary>
public sealed class DrainTests
{
    [Fact]
    public async Task Stop_migrates_participants_with_their_state_and_deactivates_the_others()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(3, probe, options: o => o.DefaultPlacement = typeof(PreferLocalPlacementDirector));
        var (a, b) = (cluster.Silos[0], cluster.Silos[1]);
        var movers = Enumerable.Range(0, 10).Select(i => a.GrainFactory.GetGrain<IMigratingGrain>($"m{i}")).ToArray();
        foreach (var (grain, i) in movers.Select((g, i) => (g, i)))
        {
            await grain.Add($"item-{i}");
            await grain.SetBlob([(byte)i, 1, 2, 3]);
        }

        var counter = a.GrainFactory.GetGrain<ICounterGrain>("c");
        await counter.Increment();
        Assert.Equal(11, a.Runtime.ActivationCount);

        await cluster.StopSiloAsync(a).WithTimeout();

        Assert.Equal(10, probe.Deactivations.Count(d => d.Reason == DeactivationReason.Migrating));
        Assert.Equal(DeactivationReason.ShuttingDown, probe.Deactivations.Single(d => d.Key == "c").Reason);
        foreach (var (grain, i) in movers.Select((g, i) => (g, i)))
        {
            var reference = b.GrainFactory.GetGrain<IMigratingGrain>(grain.GetPrimaryKeyString());
            Assert.Equal([$"item-{i}"], await reference.Items());
            Assert.Equal(new byte[] { (byte)i, 1, 2, 3 }, await reference.Blob());
            Assert.NotEqual(a.Address.ToString(), await reference.Silo());
        }

        Assert.Equal(0, await b.GrainFactory.GetGrain<ICounterGrain>("c").Get()); // not a participant: its state is gone
    }

    [Fact]
    public async Task Calls_sent_while_the_silo_drains_reach_the_moved_grains()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(2, probe);
        var (a, b) = (cluster.Silos[0], cluster.Silos[1]);
        var keys = Enumerable.Range(0, 20).Select(i => $"d{i}").ToArray();
        foreach (var key in keys)
        {
            await a.GrainFactory.GetGrain<IMigratingGrain>(key).Add(key);
        }

        // From the surviving silo, every grain is called again and again while silo A stops.
        using var stop = new CancellationTokenSource();
        var callers = keys.Select(key => Task.Run(async () =>
        {
            var grain = b.GrainFactory.GetGrain<IMigratingGrain>(key);
            var calls = 0;
            while (!stop.IsCancellationRequested || calls == 0)
            {
                Assert.Equal([key], await grain.Items());
                calls++;
            }

            return calls;
        })).ToArray();
        await cluster.StopSiloAsync(a).WithTimeout();
        await stop.CancelAsync();

        var counts = await Task.WhenAll(callers).WithTimeout();
        Assert.All(counts, c => Assert.True(c > 0));
        Assert.Equal(20, b.Runtime.ActivationCount);
        Assert.Equal(20, probe.Deactivations.Count(d => d.Reason == DeactivationReason.Migrating));
    }

    [Fact]
    public async Task A_stopping_silo_gets_no_new_placements()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(2, probe); // random placement by default
        var (a, b) = (cluster.Silos[0], cluster.Silos[1]);
        await a.GrainFactory.GetGrain<IStubbornGrain>("holds-the-stop").Touch(); // its OnDeactivateAsync waits for the gate

        var stopping = cluster.StopSiloAsync(a);
        await probe.Entered.Task.WithTimeout(); // silo A is now shutting down, stuck in that deactivation
        Assert.Equal(SiloStatus.ShuttingDown, cluster.Membership.GetStatus(a.Address));
        var placed = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => b.GrainFactory.GetGrain<ICounterGrain>($"new-{i}").Silo())).WithTimeout();
        probe.Gate.TrySetResult();
        await stopping.WithTimeout();

        Assert.All(placed, silo => Assert.Equal(b.Address.ToString(), silo));
    }

    [Theory]
    [InlineData(1, true)]  // no other active silo to go to
    [InlineData(2, false)] // drain switched off
    public async Task Stop_deactivates_instead_of_migrating_when_it_cannot_or_must_not_drain(int silos, bool drain)
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(silos, probe, options: o => o.DrainOnShutdown = drain);
        var a = cluster.Silos[0];
        await a.GrainFactory.GetGrain<IMigratingGrain>("x").Add("lost");

        await cluster.StopSiloAsync(a).WithTimeout();

        Assert.Equal(DeactivationReason.ShuttingDown, Assert.Single(probe.Deactivations).Reason);
    }
}
