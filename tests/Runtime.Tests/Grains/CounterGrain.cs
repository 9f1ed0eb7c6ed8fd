namespace Atelier.Runtime.Tests.Grains;

public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> Increment();

    Task<int> Get();

    Task<Guid> ActivationId();

    Task<string> Key();

    Task<string> Silo();

    Task Deactivate();

    Task Fail(string message);
}

internal sealed class CounterGrain : Grain, ICounterGrain
{
    private readonly Probe _probe;
    private readonly Guid _instance = Guid.NewGuid();
    private int _count;

    public CounterGrain(Probe probe)
    {
        _probe = probe;
        _probe.OnConstructed();
        _ = this.GetPrimaryKeyString(); // available in the constructor, as in Orleans
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _probe.OnActivated();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _probe.OnDeactivated(this.GetPrimaryKeyString(), Silo, reason);
        return Task.CompletedTask;
    }

    public Task<int> Increment() => Task.FromResult(++_count);

    public Task<int> Get() => Task.FromResult(_count);

    public Task<Guid> ActivationId() => Task.FromResult(_instance);

    public Task<string> Key() => Task.FromResult(this.GetPrimaryKeyString());

    Task<string> ICounterGrain.Silo() => Task.FromResult(Silo.ToString());

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task Fail(string message) => throw new InvalidOperationException(message);
}
