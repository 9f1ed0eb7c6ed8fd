using System.Collections.Concurrent;

namespace Atelier.Runtime;

/// <summary>The directory in process memory; compare-and-set through <see cref="ConcurrentDictionary{TKey,TValue}"/>.</summary>
public sealed class InMemoryGrainDirectory : IGrainDirectory
{
    private readonly ConcurrentDictionary<GrainId, GrainAddress> _entries = new();

    /// <summary>Number of entries (diagnostics and tests).</summary>
    public int Count => _entries.Count;

    /// <inheritdoc />
    public ValueTask<GrainAddress?> LookupAsync(GrainId grainId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_entries.TryGetValue(grainId, out var address) ? address : null);

    /// <inheritdoc />
    public ValueTask<GrainAddress> RegisterAsync(GrainAddress address, GrainAddress? previous, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        while (true)
        {
            if (_entries.TryAdd(address.GrainId, address))
            {
                return ValueTask.FromResult(address);
            }

            if (!_entries.TryGetValue(address.GrainId, out var existing))
            {
                continue; // removed in between: try adding again
            }

            if (previous is null || existing != previous)
            {
                return ValueTask.FromResult(existing);
            }

            // Compare-and-set: replace only the exact entry the caller saw.
            if (_entries.TryUpdate(address.GrainId, address, existing))
            {
                return ValueTask.FromResult(address);
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> UnregisterAsync(GrainAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        return ValueTask.FromResult(_entries.TryRemove(new KeyValuePair<GrainId, GrainAddress>(address.GrainId, address)));
    }

    /// <inheritdoc />
    public ValueTask UnregisterSilosAsync(IReadOnlyCollection<SiloAddress> silos, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(silos);
        foreach (var entry in _entries)
        {
            if (silos.Contains(entry.Value.Silo))
            {
                _entries.TryRemove(entry);
            }
        }

        return ValueTask.CompletedTask;
    }
}
