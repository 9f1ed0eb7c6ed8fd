using Atelier.Runtime.Tests.Grains;

namespace Atelier.Runtime.Tests;

public sealed class TurnTests
{
    [Fact]
    public async Task Concurrent_calls_from_three_silos_never_overlap_inside_one_activation()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(3, probe);
        var silos = cluster.Silos;

        var results = await Task.WhenAll(Enumerable.Range(0, 300)
            .Select(i => Task.Run(() => silos[i % 3].GrainFactory.GetGrain<ITurnGrain>("turns").Exclusive()))).WithTimeout();

        Assert.Equal(Enumerable.Range(1, 300), results.Order());
        Assert.Equal(1, await silos[0].GrainFactory.GetGrain<ITurnGrain>("turns").MaxConcurrency());
    }

    [Fact]
    public async Task Calls_from_one_caller_run_in_the_order_they_were_sent()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(1, probe);
        var grain = cluster.Silos[0].GrainFactory.GetGrain<ITurnGrain>("fifo");
        await grain.Echo(0); // activate first, so every Append below is queued on the same mailbox

        await Task.WhenAll(Enumerable.Range(0, 500).Select(grain.Append)).WithTimeout();

        Assert.Equal(Enumerable.Range(0, 500), await grain.Sequence());
    }

    [Fact]
    public async Task Read_only_calls_interleave_with_each_other()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(1, probe);
        var grain = cluster.Silos[0].GrainFactory.GetGrain<ITurnGrain>("readers");

        // Each call waits until the other one is inside: this completes only if they overlap.
        await Task.WhenAll(grain.ReadTogether(), grain.ReadTogether()).WithTimeout();
    }

    [Fact]
    public async Task A_writer_waits_for_read_only_calls_in_progress()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(1, probe);
        var grain = cluster.Silos[0].GrainFactory.GetGrain<ITurnGrain>("rw");

        var reader = grain.ReadBlocked();
        await probe.Entered.Task.WithTimeout();
        var writer = grain.WriteObservingReaders();
        probe.Gate.SetResult();
        await reader.WithTimeout();

        Assert.Equal(0, await writer.WithTimeout());
    }

    [Fact]
    public async Task Always_interleave_method_runs_while_an_exclusive_call_is_blocked()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(1, probe);
        var grain = cluster.Silos[0].GrainFactory.GetGrain<ITurnGrain>("interleave");

        var blocked = grain.Block();
        await probe.Entered.Task.WithTimeout();

        Assert.Equal("pong", await grain.Ping().WithTimeout());
        Assert.False(blocked.IsCompleted);
        probe.Gate.SetResult();
        await blocked.WithTimeout();
    }

    [Fact]
    public async Task Exclusive_call_queues_behind_a_blocked_exclusive_call()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(1, probe);
        var grain = cluster.Silos[0].GrainFactory.GetGrain<ITurnGrain>("queue");

        var blocked = grain.Block();
        await probe.Entered.Task.WithTimeout();
        var queued = grain.Echo(7).AsTask();
        await Task.Yield();

        Assert.False(queued.IsCompleted);
        probe.Gate.SetResult();
        Assert.Equal(7, await queued.WithTimeout());
        await blocked;
    }
}
