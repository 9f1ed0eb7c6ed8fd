namespace Atelier.Runtime.Tests;

/// <summary>
/// The real in-memory directory with registrations held at a gate, so racing activators on different silos all get
/// past their lookups before any of them registers: the compare-and-set, not luck, has to pick the winner.
/// </summary>
internal sealed class GatedGrainDirectory : IGrainDirectory
{
    private readonly InMemoryGrainDirectory _inner = new();
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _racing = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _racers;
    private int _pending;

    public GatedGrainDirectory(int racers) => _racers = racers;

    public int Count => _inner.Count;

    /// <summary>Completes when <c>racers</c> registrations wait at the gate.</summary>
    public Task Racing => _racing.Task;

    public void Open() => _gate.TrySetResult();

    public ValueTask<GrainAddress?> LookupAsync(GrainId grainId, CancellationToken cancellationToken) => _inner.LookupAsync(grainId, cancellationToken);

    public async ValueTask<GrainAddress> RegisterAsync(GrainAddress address, GrainAddress? previous, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _pending) >= _racers)
        {
            _racing.TrySetResult();
        }

        await _gate.Task;
        return await _inner.RegisterAsync(address, previous, cancellationToken);
    }

    public ValueTask<bool> UnregisterAsync(GrainAddress address, CancellationToken cancellationToken) => _inner.UnregisterAsync(address, cancellationToken);

    public ValueTask UnregisterSilosAsync(IReadOnlyCollection<SiloAddress> silos, CancellationToken cancellationToken) =>
        _inner.UnregisterSilosAsync(silos, cancellationToken);
}
