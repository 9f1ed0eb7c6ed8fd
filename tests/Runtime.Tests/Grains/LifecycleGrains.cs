namespace Atelier.Runtime.Tests.Grains;

public interface ILifecycleGrain : IGrainWithStringKey
{
    Task<int> Increment();
}

public interface IShortLivedGrain : IGrainWithStringKey
{
    Task<int> Increment();
}

public interface IStubbornGrain : IGrainWithStringKey
{
    Task Touch();

    Task<string> Silo();
}

/// <summary>Default collection age.</summary>
internal sealed class LifecycleGrain(Probe probe) : Grain, ILifecycleGrain
{
    private int _count;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        probe.OnActivated();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        probe.OnDeactivated(this.GetPrimaryKeyString(), Silo, reason);
        return Task.CompletedTask;
    }

    public Task<int> Increment() => Task.FromResult(++_count);
}

/// <summary>Collected after 2 minutes idle, whatever the silo default.</summary>
[CollectionAgeLimit(Minutes = 2)]
internal sealed class ShortLivedGrain(Probe probe) : Grain, IShortLivedGrain
{
    private int _count;

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        probe.OnDeactivated(this.GetPrimaryKeyString(), Silo, reason);
        return Task.CompletedTask;
    }

    public Task<int> Increment() => Task.FromResult(++_count);
}

/// <summary>Its OnDeactivateAsync waits for the test's gate, ignoring the deadline token (but reporting that it fired).</summary>
[PreferLocalPlacement]
internal sealed class StubbornGrain(Probe probe) : Grain, IStubbornGrain
{
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(() => probe.CancelObserved.TrySetResult());
        probe.Entered.TrySetResult();
        await probe.Gate.Task;
    }

    public Task Touch() => Task.CompletedTask;

    Task<string> IStubbornGrain.Silo() => Task.FromResult(Silo.ToString());
}
