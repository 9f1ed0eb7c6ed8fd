namespace Atelier.Runtime.Tests.Grains;

public interface ITimerGrain : IGrainWithStringKey
{
    Task StartTicking();

    Task BlockedCall();
}

internal sealed class TimerGrain(Probe probe) : Grain, ITimerGrain
{
    private bool _inCall;

    public Task StartTicking()
    {
        RegisterGrainTimer(
            _ =>
            {
                probe.Events.Enqueue(_inCall ? "tick-during-call" : "tick");
                probe.Signals.Release();
                return Task.CompletedTask;
            },
            TimeSpan.FromMinutes(1),
            TimeSpan.FromMinutes(1));
        return Task.CompletedTask;
    }

    public async Task BlockedCall()
    {
        _inCall = true;
        probe.Events.Enqueue("call-start");
        probe.Entered.TrySetResult();
        await probe.Gate.Task;
        probe.Events.Enqueue("call-end");
        _inCall = false;
    }
}
