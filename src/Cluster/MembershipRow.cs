using Atelier.Runtime;

namespace Atelier.Cluster;

/// <summary>One row of the membership table as last read (times are Redis-clock Unix milliseconds).</summary>
public sealed record MembershipRow(SiloAddress Silo, string Name, SiloStatus Status, long StartedAtMs, long HeartbeatAtMs, SiloLoad Load);
