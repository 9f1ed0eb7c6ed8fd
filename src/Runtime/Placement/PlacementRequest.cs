namespace Atelier.Runtime;

/// <summary>What a placement director knows about the activation to place.</summary>
/// <param name="GrainId">The grain being activated.</param>
/// <param name="LocalSilo">The silo making the decision (the caller's silo).</param>
/// <param name="Model">The model the new activation will need (from <see cref="PlacementHints.ModelKey"/>), or null.</param>
public sealed record PlacementRequest(GrainId GrainId, SiloAddress LocalSilo, string? Model);
