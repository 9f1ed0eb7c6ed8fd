namespace Atelier.Runtime;

/// <summary>
/// <see cref="RequestContext"/> keys read by placement: set them before the first call to a new grain,
/// e.g. <c>RequestContext.Set(PlacementHints.ModelKey, "sam-vit-b")</c>.
/// </summary>
public static class PlacementHints
{
    /// <summary>The model the new activation will use; resource-aware placement prefers silos where it is resident.</summary>
    public const string ModelKey = "atelier.placement.model";
}
