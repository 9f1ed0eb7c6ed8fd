namespace Atelier.Runtime;

/// <summary>The caller's silo when it is active; otherwise a random active silo.</summary>
public sealed class PreferLocalPlacementDirector : IPlacementDirector
{
    /// <inheritdoc />
    public SiloAddress Place(PlacementRequest request, IReadOnlyList<SiloLoad> silos)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(silos);
        for (var i = 0; i < silos.Count; i++)
        {
            if (silos[i].Silo == request.LocalSilo)
            {
                return request.LocalSilo;
            }
        }

        return silos[Random.Shared.Next(silos.Count)].Silo;
    }
}
