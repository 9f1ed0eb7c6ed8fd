namespace Atelier.Runtime;

/// <summary>
/// <see cref="RequestContext"/> keys read by placement: set them before the first call to a new grain,
/// e.g. <c>RequestContext.Set(PlacementHints.ModelKey, "sam-vit-b")</c>.
/// </summary>
public static class PlacementHints
{
    /// <summary>The model the new activation will use; resource-aware placement prefers silos where it is resident.</summary>
    public const string ModelKey = "atelier.placement.model";

    /// <summary>
    /// The key (<see cref="GrainId.Key"/>) of a grain whose id the caller has just minted (a new session): no activation
    /// of it can exist. While the directory is unreachable (Redis outage) such a grain is activated on the receiving
    /// silo and registered when the directory is back, instead of failing with <see cref="ClusterUnavailableException"/>.
    /// </summary>
    public const string NewGrainKey = "atelier.placement.new-grain";
}
