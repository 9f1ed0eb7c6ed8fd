namespace Atelier.Runtime;

/// <summary>
/// Implemented by a grain that writes its state through to storage shared by the cluster (the session store in
/// Redis) and holds that state in memory too. When the runtime finds the cluster's shared state lost (Redis restarted
/// without its data) and has registered the activation in the directory again, it calls
/// <see cref="OnStorageLostAsync"/> as a turn of the activation, so the grain writes its state back and a later
/// failover still finds it.
/// </summary>
public interface IGrainStorageRecoveryParticipant
{
    /// <summary>Writes the grain's state back into its (emptied) storage. Runs as an exclusive turn.</summary>
    Task OnStorageLostAsync(CancellationToken cancellationToken);
}
