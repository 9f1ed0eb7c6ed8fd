using Atelier.Runtime;

namespace Atelier.Cluster;

/// <summary>One row of the membership table as last read (times are Redis-clock Unix milliseconds).</summary>
public sealed record MembershipRow(SiloAddress Silo, string Name, SiloStatus Status, long StartedAtMs, long HeartbeatAtMs, SiloLoad Load)
{
    /// <summary>
    /// The table epoch in which this silo's activations are all registered in the directory ('' when unknown): the
    /// epoch it joined in, or the one it re-registered its activations in after Redis restarted empty.
    /// </summary>
    public string DirectoryEpoch { get; init; } = "";

    /// <summary>
    /// True for a row this silo knew before Redis restarted empty and that is not back in the new table yet: kept in
    /// the local view for a grace period so a live silo that has not heartbeated into the new table is not taken for
    /// dead (its sessions would be activated twice).
    /// </summary>
    public bool Carried { get; init; }
}
