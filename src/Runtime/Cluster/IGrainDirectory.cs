namespace Atelier.Runtime;

/// <summary>
/// Grain id → the silo and activation that hold it. Registration is compare-and-set, which is what makes
/// single activation hold across the cluster: of concurrent registrations for one grain exactly one wins.
/// </summary>
public interface IGrainDirectory
{
    /// <summary>The registered address of <paramref name="grainId"/>, or null.</summary>
    ValueTask<GrainAddress?> LookupAsync(GrainId grainId, CancellationToken cancellationToken);

    /// <summary>
    /// Registers <paramref name="address"/> if the grain has no entry, or if its entry equals
    /// <paramref name="previous"/> (take-over of a stale entry, migration). Returns the entry that holds afterwards:
    /// <paramref name="address"/> when this call won, the existing entry otherwise.
    /// </summary>
    ValueTask<GrainAddress> RegisterAsync(GrainAddress address, GrainAddress? previous, CancellationToken cancellationToken);

    /// <summary>Removes the entry only if it is exactly <paramref name="address"/>; returns whether it did.</summary>
    ValueTask<bool> UnregisterAsync(GrainAddress address, CancellationToken cancellationToken);

    /// <summary>Removes every entry pointing at one of <paramref name="silos"/> (declared dead).</summary>
    ValueTask UnregisterSilosAsync(IReadOnlyCollection<SiloAddress> silos, CancellationToken cancellationToken);
}
