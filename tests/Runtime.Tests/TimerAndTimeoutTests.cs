using Atelier.Runtime.Tests.Grains;
using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Runtime.Tests;

public sealed class TimerAndTimeoutTests
{
    [Fact]
    public async Task Timer_ticks_run_as_turns_never_inside_a_call()
    {
        var probe = new Probe();
        var time = new ManualTimeProvider();
        await using var cluster = await Clusters.StartAsync(1, probe, s => s.AddSingleton<TimeProvider>(time), o => o.ResponseTimeout = Timeout.InfiniteTimeSpan);
        var grain = cluster.Silos[0].GrainFactory.GetGrain<ITimerGrain>("ticker");
        await grain.StartTicking();

        var call = grain.BlockedCall();
        await probe.Entered.Task.WithTimeout();
        time.Advance(TimeSpan.FromMinutes(1)); // due while the call is blocked: the tick waits for its turn
        probe.Gate.SetResult();
        await call.WithTimeout();
        await probe.WaitForSignalAsync();
        await AdvanceUntilTickAsync(probe, time); // the next period starts when a tick ends
        await AdvanceUntilTickAsync(probe, time);

        Assert.Equal(["call-start", "call-end", "tick", "tick", "tick"], probe.Events.ToArray());
    }

    [Fact]
    public async Task A_call_that_takes_longer_than_the_response_timeout_fails_with_TimeoutException()
    {
        var probe = new Probe();
        var time = new ManualTimeProvider();
        await using var cluster = await Clusters.StartAsync(1, probe, s => s.AddSingleton<TimeProvider>(time), o => o.ResponseTimeout = TimeSpan.FromSeconds(5));
        var grain = cluster.Silos[0].GrainFactory.GetGrain<ITurnGrain>("slow");

        var call = grain.Block();
        await probe.Entered.Task.WithTimeout();
        time.Advance(TimeSpan.FromSeconds(6));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => call.WithTimeout());
        Assert.Contains("Block", error.Message, StringComparison.Ordinal);
        probe.Gate.SetResult();
        Assert.Equal(3, await grain.Echo(3)); // the activation is fine afterwards
    }

    [Fact]
    public async Task A_remote_call_that_times_out_cancels_the_callee_token_on_the_other_silo()
    {
        var probe = new Probe();
        var time = new ManualTimeProvider();
        await using var cluster = await Clusters.StartAsync(2, probe, s => s.AddSingleton<TimeProvider>(time), o => o.ResponseTimeout = TimeSpan.FromSeconds(5));
        var owner = cluster.Silos[1];
        await owner.GrainFactory.GetGrain<IRemoteGrain>("slow-remote").Silo(); // activate on the second silo
        var grain = cluster.Silos[0].GrainFactory.GetGrain<IRemoteGrain>("slow-remote");

        var call = grain.WaitForCancellation(CancellationToken.None);
        await probe.Entered.Task.WithTimeout();
        time.Advance(TimeSpan.FromSeconds(6));

        await Assert.ThrowsAsync<TimeoutException>(() => call.WithTimeout());
        await probe.CancelObserved.Task.WithTimeout();
    }

    /// <summary>Moves the clock in 20 s steps until the next tick (the timer is re-armed when the previous tick ends,
    /// on another thread, so the test cannot know the exact instant to advance from).</summary>
    private static async Task AdvanceUntilTickAsync(Probe probe, ManualTimeProvider time)
    {
        for (var step = 0; step < 500; step++)
        {
            time.Advance(TimeSpan.FromSeconds(20));
            if (await probe.Signals.WaitAsync(TimeSpan.FromMilliseconds(20)))
            {
                return;
            }
        }

        Assert.Fail("the timer did not tick again");
    }
}
