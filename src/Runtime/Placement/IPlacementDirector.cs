namespace Atelier.Runtime;

/// <summary>Chooses the silo for a new activation from the live silos and their load.</summary>
public interface IPlacementDirector
{
    /// <summary>Returns one of <paramref name="silos"/> (never empty when called).</summary>
    SiloAddress Place(PlacementRequest request, IReadOnlyList<SiloLoad> silos);
}
