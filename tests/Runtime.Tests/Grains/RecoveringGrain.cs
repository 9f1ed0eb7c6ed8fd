namespace Atelier.Runtime.Tests.Grains;

public interface IRecoveringGrain : IGrainWithStringKey
{
    /// <summary>Whether the activation was created by the call that minted its id.</summary>
    Task<bool> WasNew();

    Task<Guid> ActivationId();

    /// <summary>How many times the runtime asked this activation to write its state back.</summary>
    Task<int> StorageLostCalls();
}

internal sealed class RecoveringGrain : Grain, IRecoveringGrain, IGrainStorageRecoveryParticipant
{
    private readonly Guid _activation = Guid.NewGuid();
    private bool _wasNew;
    private int _storageLost;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _wasNew = IsNewGrain;
        return Task.CompletedTask;
    }

    public Task<bool> WasNew() => Task.FromResult(_wasNew);

    public Task<Guid> ActivationId() => Task.FromResult(_activation);

    public Task<int> StorageLostCalls() => Task.FromResult(_storageLost);

    public Task OnStorageLostAsync(CancellationToken cancellationToken)
    {
        _storageLost++;
        return Task.CompletedTask;
    }
}
