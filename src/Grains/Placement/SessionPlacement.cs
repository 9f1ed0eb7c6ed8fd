using Orleans.Placement;

namespace Atelier.Grains.Placement;

/// <summary>Places a session where its segmenter is resident with device memory to spare (<see cref="SessionPlacementDirector"/>).</summary>
[GenerateSerializer, Immutable, Alias("atelier.session-placement")]
public sealed class SessionPlacementStrategy : PlacementStrategy;

/// <summary>Marks a grain class for <see cref="SessionPlacementStrategy"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SessionPlacementAttribute() : PlacementAttribute(new SessionPlacementStrategy());
