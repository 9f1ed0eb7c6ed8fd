namespace Atelier.Grains.Hosting;

/// <summary>The name this silo reports (in <c>X-Atelier-Silo</c>, session info and stats); registered by the host.</summary>
public sealed record SiloIdentity(string Name);
