using Atelier.Runtime.Tests.Grains;

namespace Atelier.Runtime.Tests;

public sealed class MigrationTests
{
    [Fact]
    public async Task Migration_moves_state_and_the_directory_entry_to_the_target_silo()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(2, probe);
        var (a, b) = (cluster.Silos[0], cluster.Silos[1]);
        var grain = a.GrainFactory.GetGrain<IMigratingGrain>("session-1");
        await grain.Add("v1");
        await grain.Add("v2");
        var embedding = new byte[1 << 20];
        new Random(3).NextBytes(embedding);
        await grain.SetBlob(embedding);
        var grainId = grain.GetGrainId();
        var before = await cluster.Directory.LookupAsync(grainId, CancellationToken.None);
        Assert.Equal(a.Address, before!.Silo);

        await a.Runtime.MigrateAsync(grainId, b.Address, CancellationToken.None).WithTimeout();

        var after = await cluster.Directory.LookupAsync(grainId, CancellationToken.None);
        Assert.Equal(b.Address, after!.Silo);
        Assert.NotEqual(before.ActivationId, after.ActivationId);
        Assert.Equal(0, a.Runtime.ActivationCount);
        Assert.Equal(1, b.Runtime.ActivationCount);
        Assert.Equal(DeactivationReason.Migrating, Assert.Single(probe.Deactivations).Reason);
        Assert.Equal(b.Address.ToString(), await grain.Silo());
        Assert.Equal(["v1", "v2"], await grain.Items());
        Assert.Equal(embedding, await grain.Blob());
        Assert.True(await grain.RehydratedBeforeActivate());
        Assert.Equal(["v1", "v2"], await b.GrainFactory.GetGrain<IMigratingGrain>("session-1").Items());
    }

    [Fact]
    public async Task MigrateOnIdle_moves_the_grain_after_the_current_call_and_calls_follow_it()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(2, probe);
        var (a, b) = (cluster.Silos[0], cluster.Silos[1]);
        var grain = a.GrainFactory.GetGrain<IMigratingGrain>("session-2");
        await grain.Add("kept");

        await grain.MoveAway();
        await probe.Deactivated.Task.WithTimeout();

        // Calls sent meanwhile are re-routed: whatever was queued on silo A follows the grain to B.
        var items = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => grain.Items())).WithTimeout();
        Assert.All(items, i => Assert.Equal(["kept"], i));
        Assert.Equal(b.Address.ToString(), await grain.Silo());
        Assert.Equal(2, probe.Activations);
    }

    [Fact]
    public async Task Migrating_a_grain_that_is_not_active_here_fails()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(2, probe);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            cluster.Silos[0].Runtime.MigrateAsync(new GrainId(typeof(IMigratingGrain).FullName!, "nobody"), cluster.Silos[1].Address, CancellationToken.None));
    }
}
