namespace Atelier.Runtime;

/// <summary>
/// On a grain class: which <see cref="IPlacementDirector"/> places its activations. The director type is
/// resolved from DI (built-in directors are registered by <c>AddAtelierSilo</c>; register custom ones yourself).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public class PlacementAttribute(Type directorType) : Attribute
{
    /// <summary>A type implementing <see cref="IPlacementDirector"/>.</summary>
    public Type DirectorType { get; } = directorType;
}

/// <summary>Place new activations on the caller's silo (falls back to random if it is not active).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class PreferLocalPlacementAttribute() : PlacementAttribute(typeof(PreferLocalPlacementDirector));

/// <summary>Place new activations on a random active silo.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class RandomPlacementAttribute() : PlacementAttribute(typeof(RandomPlacementDirector));

/// <summary>Place new activations by free device memory and resident models (power of two choices).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class ResourceAwarePlacementAttribute() : PlacementAttribute(typeof(ResourceAwarePlacementDirector));
