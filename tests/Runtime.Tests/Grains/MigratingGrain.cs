namespace Atelier.Runtime.Tests.Grains;

public interface IMigratingGrain : IGrainWithStringKey
{
    Task Add(string item);

    Task<string[]> Items();

    Task SetBlob(byte[] blob);

    Task<byte[]> Blob();

    Task<string> Silo();

    Task<bool> RehydratedBeforeActivate();

    Task MoveAway();
}

[PreferLocalPlacement]
internal sealed class MigratingGrain(Probe probe) : Grain, IMigratingGrain, IGrainMigrationParticipant
{
    private List<string> _items = [];
    private byte[] _blob = [];
    private bool _rehydrated;
    private bool _rehydratedBeforeActivate;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        probe.OnActivated();
        _rehydratedBeforeActivate = _rehydrated;
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        probe.OnDeactivated(this.GetPrimaryKeyString(), Silo, reason);
        return Task.CompletedTask;
    }

    public void OnDehydrate(IDehydrationContext dehydrationContext)
    {
        dehydrationContext.TryAddValue("items", _items);
        dehydrationContext.TryAddBytes("blob", _blob);
    }

    public void OnRehydrate(IRehydrationContext rehydrationContext)
    {
        if (rehydrationContext.TryGetValue<List<string>>("items", out var items) && items is not null)
        {
            _items = items;
        }

        if (rehydrationContext.TryGetBytes("blob", out var blob))
        {
            _blob = blob.ToArray();
        }

        _rehydrated = true;
    }

    public Task Add(string item)
    {
        _items.Add(item);
        return Task.CompletedTask;
    }

    public Task<string[]> Items() => Task.FromResult(_items.ToArray());

    public Task SetBlob(byte[] blob)
    {
        _blob = blob;
        return Task.CompletedTask;
    }

    public Task<byte[]> Blob() => Task.FromResult(_blob);

    Task<string> IMigratingGrain.Silo() => Task.FromResult(Silo.ToString());

    public Task<bool> RehydratedBeforeActivate() => Task.FromResult(_rehydratedBeforeActivate);

    public Task MoveAway()
    {
        MigrateOnIdle();
        return Task.CompletedTask;
    }
}
