using Atelier.Runtime;

namespace Atelier.Cluster.Tests;

public sealed record ProbeInfo(string Silo, Guid Activation);

public interface IProbeGrain : IGrainWithStringKey
{
    Task<ProbeInfo> Where();

    Task<byte[]> Reverse(byte[] payload);

    Task<string?> ReadContext(string key);

    Task WaitForCancellation(CancellationToken cancellationToken);

    /// <summary>Waits for <see cref="ProbeSignals.Gate"/> (signalling <see cref="ProbeSignals.HeldStarted"/>), then answers where it ran.</summary>
    [Idempotent]
    Task<ProbeInfo> HeldWhere();

    /// <summary>As <see cref="HeldWhere"/>, but not idempotent: counts its runs in <see cref="ProbeSignals.Runs"/>.</summary>
    Task<ProbeInfo> HeldCount();
}

/// <summary>What grains on every in-process silo report back to the test.</summary>
public sealed class ProbeSignals
{
    public TaskCompletionSource WaitStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource WaitCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource HeldStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private int _runs;

    public int Runs => Volatile.Read(ref _runs);

    public void CountRun() => Interlocked.Increment(ref _runs);
}

[PreferLocalPlacement]
internal sealed class ProbeGrain(ProbeSignals signals) : Grain, IProbeGrain
{
    private readonly Guid _activation = Guid.NewGuid();

    public Task<ProbeInfo> Where() => Task.FromResult(new ProbeInfo(Silo.ToString(), _activation));

    public Task<byte[]> Reverse(byte[] payload)
    {
        var copy = (byte[])payload.Clone();
        Array.Reverse(copy);
        return Task.FromResult(copy);
    }

    public Task<string?> ReadContext(string key) => Task.FromResult(RequestContext.Get(key));

    public async Task<ProbeInfo> HeldWhere()
    {
        signals.HeldStarted.TrySetResult();
        await signals.Gate.Task;
        return new ProbeInfo(Silo.ToString(), _activation);
    }

    public async Task<ProbeInfo> HeldCount()
    {
        signals.CountRun();
        return await HeldWhere();
    }

    public async Task WaitForCancellation(CancellationToken cancellationToken)
    {
        signals.WaitStarted.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            signals.WaitCancelled.TrySetResult();
            throw;
        }
    }
}
