using System.Collections.Concurrent;

namespace Atelier.Runtime.Tests;

/// <summary>Shared by every silo of a test (one DI singleton instance): what the test grains observed.</summary>
public sealed class Probe
{
    private int _constructed;
    private int _activations;

    public int Constructed => Volatile.Read(ref _constructed);

    public int Activations => Volatile.Read(ref _activations);

    public ConcurrentQueue<(string Key, string Silo, DeactivationReason Reason)> Deactivations { get; } = new();

    public ConcurrentQueue<string> Events { get; } = new();

    /// <summary>Released by the test to let a blocked grain method finish.</summary>
    public TaskCompletionSource Gate { get; } = New();

    /// <summary>Set by a grain method when it has started.</summary>
    public TaskCompletionSource Entered { get; } = New();

    public TaskCompletionSource Deactivated { get; } = New();

    public TaskCompletionSource CancelObserved { get; } = New();

    public TaskCompletionSource BothReadersInside { get; } = New();

    /// <summary>Released once per repeated event (timer ticks).</summary>
    public SemaphoreSlim Signals { get; } = new(0);

    public async Task WaitForSignalAsync()
    {
        Assert.True(await Signals.WaitAsync(TimeSpan.FromSeconds(15)), "expected signal did not arrive");
    }

    public void OnConstructed() => Interlocked.Increment(ref _constructed);

    public void OnActivated() => Interlocked.Increment(ref _activations);

    public void OnDeactivated(string key, SiloAddress silo, DeactivationReason reason)
    {
        Deactivations.Enqueue((key, silo.ToString(), reason));
        Deactivated.TrySetResult();
    }

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
