namespace Atelier.Runtime;

/// <summary>A directory entry: which silo holds which activation of a grain.</summary>
/// <param name="GrainId">The grain.</param>
/// <param name="Silo">The silo holding the activation.</param>
/// <param name="ActivationId">Unique id of this activation (a new one per activation, also after migration).</param>
public sealed record GrainAddress(GrainId GrainId, SiloAddress Silo, Guid ActivationId);
