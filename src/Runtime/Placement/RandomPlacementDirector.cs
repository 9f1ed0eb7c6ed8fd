namespace Atelier.Runtime;

/// <summary>A uniformly random active silo.</summary>
public sealed class RandomPlacementDirector : IPlacementDirector
{
    /// <inheritdoc />
    public SiloAddress Place(PlacementRequest request, IReadOnlyList<SiloLoad> silos)
    {
        ArgumentNullException.ThrowIfNull(silos);
        return silos[Random.Shared.Next(silos.Count)].Silo;
    }
}
