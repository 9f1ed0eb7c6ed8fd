namespace Atelier.Runtime;

/// <summary>
/// Which silos are alive, and their load. The in-memory implementation serves one process (embedded mode and
/// the test cluster); the cluster implementation keeps a local view of a Redis table.
/// </summary>
public interface IMembership
{
    /// <summary>Writes <paramref name="silo"/>'s status (join, drain, leave).</summary>
    ValueTask SetStatusAsync(SiloAddress silo, SiloStatus status, CancellationToken cancellationToken);

    /// <summary>Publishes a silo's current load.</summary>
    ValueTask ReportLoadAsync(SiloLoad load, CancellationToken cancellationToken);

    /// <summary>The silos currently <see cref="SiloStatus.Active"/> with their last reported load (local view).</summary>
    IReadOnlyList<SiloLoad> GetActiveSilos();

    /// <summary>The last known status of <paramref name="silo"/>; <see cref="SiloStatus.Dead"/> when unknown.</summary>
    SiloStatus GetStatus(SiloAddress silo);

    /// <summary>
    /// Whether <paramref name="silo"/> is dead for sure, checked now: a silo merely unknown to a stale local view (it
    /// joined moments ago) is not dead. Called before taking over a directory entry. The default trusts the local view.
    /// </summary>
    ValueTask<bool> IsDeadAsync(SiloAddress silo, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetStatus(silo) == SiloStatus.Dead);

    /// <summary>When <paramref name="silo"/> last heartbeated, as the local view knows it; null when not tracked.</summary>
    DateTimeOffset? GetLastHeartbeat(SiloAddress silo) => null;
}
