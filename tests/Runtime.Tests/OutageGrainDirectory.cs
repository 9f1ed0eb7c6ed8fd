namespace Atelier.Runtime.Tests;

/// <summary>
/// The real in-memory directory behind a switch that makes it unreachable (every operation throws
/// <see cref="ClusterUnavailableException"/>, as the Redis directory does during an outage), and that can lose every
/// entry at once (as a Redis restarted empty does).
/// </summary>
internal sealed class OutageGrainDirectory : IGrainDirectory
{
    private volatile InMemoryGrainDirectory _inner = new();

    public bool Down { get; set; }

    public int Count => _inner.Count;

    public void LoseEverything() => _inner = new InMemoryGrainDirectory();

    public ValueTask<GrainAddress?> LookupAsync(GrainId grainId, CancellationToken cancellationToken) =>
        Reachable().LookupAsync(grainId, cancellationToken);

    public ValueTask<GrainAddress> RegisterAsync(GrainAddress address, GrainAddress? previous, CancellationToken cancellationToken) =>
        Reachable().RegisterAsync(address, previous, cancellationToken);

    public ValueTask<bool> UnregisterAsync(GrainAddress address, CancellationToken cancellationToken) =>
        Reachable().UnregisterAsync(address, cancellationToken);

    public ValueTask UnregisterSilosAsync(IReadOnlyCollection<SiloAddress> silos, CancellationToken cancellationToken) =>
        Reachable().UnregisterSilosAsync(silos, cancellationToken);

    private InMemoryGrainDirectory Reachable() =>
        Down ? throw new ClusterUnavailableException("The directory is unreachable (test outage).") : _inner;
}
