using System.Collections.Concurrent;

namespace Atelier.Runtime;

/// <summary>Membership held in process memory: a single silo, or every silo of a <c>TestCluster</c>.</summary>
public sealed class InMemoryMembership : IMembership
{
    private readonly ConcurrentDictionary<SiloAddress, Entry> _silos = new();
    private volatile SiloLoad[] _active = [];

    /// <inheritdoc />
    public ValueTask SetStatusAsync(SiloAddress silo, SiloStatus status, CancellationToken cancellationToken)
    {
        _silos.AddOrUpdate(silo, s => new Entry(status, new SiloLoad(s)), (_, e) => e with { Status = status });
        Rebuild();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask ReportLoadAsync(SiloLoad load, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(load);
        _silos.AddOrUpdate(load.Silo, _ => new Entry(SiloStatus.Joining, load), (_, e) => e with { Load = load });
        Rebuild();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public IReadOnlyList<SiloLoad> GetActiveSilos() => _active;

    /// <inheritdoc />
    public SiloStatus GetStatus(SiloAddress silo) =>
        _silos.TryGetValue(silo, out var entry) ? entry.Status : SiloStatus.Dead;

    private void Rebuild()
    {
        lock (_silos)
        {
            _active = _silos.Values.Where(e => e.Status == SiloStatus.Active).Select(e => e.Load)
                .OrderBy(l => l.Silo.ToString(), StringComparer.Ordinal).ToArray();
        }
    }

    private sealed record Entry(SiloStatus Status, SiloLoad Load);
}
