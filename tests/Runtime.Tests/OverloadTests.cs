using Atelier.Runtime.Tests.Grains;

namespace Atelier.Runtime.Tests;

public sealed class OverloadTests
{
    [Fact]
    public async Task Full_mailbox_rejects_the_next_call_at_once_and_the_activation_recovers()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(1, probe, options: o => o.MailboxCapacity = 4);
        var grain = cluster.Silos[0].GrainFactory.GetGrain<ITurnGrain>("busy");

        var blocked = grain.Block();
        await probe.Entered.Task.WithTimeout();
        var queued = Enumerable.Range(0, 4).Select(i => grain.Echo(i).AsTask()).ToArray();
        var rejected = grain.Echo(99).AsTask();

        Assert.True(rejected.IsFaulted); // failed synchronously, without waiting for the blocked turn
        await Assert.ThrowsAsync<GrainOverloadedException>(() => rejected);
        probe.Gate.SetResult();
        await blocked.WithTimeout();
        Assert.Equal(new[] { 0, 1, 2, 3 }, await Task.WhenAll(queued).WithTimeout());
        Assert.Equal(5, await grain.Echo(5));
    }

    [Fact]
    public async Task Overload_on_another_silo_surfaces_as_GrainOverloadedException()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(2, probe, options: o => o.MailboxCapacity = 1);
        var owner = cluster.Silos[1].GrainFactory.GetGrain<IRemoteGrain>("remote-busy");
        var blocked = owner.Block();
        await probe.Entered.Task.WithTimeout();
        var queued = owner.Silo();

        await Assert.ThrowsAsync<GrainOverloadedException>(() => cluster.Silos[0].GrainFactory.GetGrain<IRemoteGrain>("remote-busy").Silo());
        probe.Gate.SetResult();
        await blocked.WithTimeout();
        await queued.WithTimeout();
    }
}
