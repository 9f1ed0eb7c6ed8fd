using System.Collections.Concurrent;

namespace Atelier.Runtime;

/// <summary>
/// Directory repair: registering this silo's activations again after the directory lost its entries, and registering
/// the new grains activated while the directory was unreachable.
/// </summary>
public sealed partial class SiloRuntime
{
    private static readonly TimeSpan ContestedRetryPeriod = TimeSpan.FromMilliseconds(100);
    private const int ContestedRetries = 30;
    private readonly ConcurrentDictionary<GrainId, ActivationData> _deferred = new();

    /// <summary>Activations serving although the directory does not know them yet (created during an outage).</summary>
    public int DeferredRegistrations => _deferred.Count;

    /// <summary>
    /// Registers every live activation of this silo in the directory again (compare-and-set on "no entry"), for
    /// directories that lost their entries (a Redis restarted empty), then lets each grain that implements
    /// <see cref="IGrainStorageRecoveryParticipant"/> write its state back into the emptied storage. An activation whose
    /// grain stays registered by another silo lost the race and is deactivated, so single activation holds again.
    /// Returns how many activations were deactivated.
    /// </summary>
    public async Task<int> ReassertDirectoryAsync(CancellationToken cancellationToken)
    {
        var lost = 0;
        foreach (var activation in _activations.Values)
        {
            if (activation.GrainClass.Interface.IsPerSilo || activation.State != ActivationState.Valid)
            {
                continue;
            }

            if (await RegisterAgainAsync(activation, cancellationToken).ConfigureAwait(false))
            {
                activation.EnqueueControl(new ControlItem(ControlKind.StorageLost));
            }
            else
            {
                lost++;
            }
        }

        return lost;
    }

    /// <summary>
    /// Registers the activations created while the directory was unreachable (<see cref="PlacementHints.NewGrainKey"/>).
    /// Called after each successful load report; throws <see cref="ClusterUnavailableException"/> while the directory
    /// is still unreachable (the rest stay deferred). Returns how many were registered.
    /// </summary>
    public async Task<int> RegisterDeferredAsync(CancellationToken cancellationToken)
    {
        var registered = 0;
        foreach (var (grainId, activation) in _deferred)
        {
            if (activation.State is ActivationState.Valid or ActivationState.Activating
                && await RegisterAgainAsync(activation, cancellationToken).ConfigureAwait(false))
            {
                registered++;
                Log.DeferredRegistered(Logger, grainId);
            }

            _deferred.TryRemove(new KeyValuePair<GrainId, ActivationData>(grainId, activation));
        }

        return registered;
    }

    internal void DeferRegistration(ActivationData activation)
    {
        Log.RegistrationDeferred(Logger, activation.GrainId);
        _deferred[activation.GrainId] = activation;
    }

    /// <summary>
    /// Registers a live activation with "no entry" expected. Another holder is given a few seconds to go away first:
    /// right after the directory came back, another silo may have activated the grain from a lookup miss, found no
    /// stored state and be about to deactivate. Returns false (and deactivates this copy) when the other holder stays.
    /// </summary>
    private async Task<bool> RegisterAgainAsync(ActivationData activation, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var holder = await Directory.RegisterAsync(activation.Address, previous: null, cancellationToken).ConfigureAwait(false);
            if (holder == activation.Address)
            {
                _deferred.TryRemove(new KeyValuePair<GrainId, ActivationData>(activation.GrainId, activation));
                return true;
            }

            if (attempt >= ContestedRetries || _stopRequested)
            {
                Log.DirectoryEntryLost(Logger, activation.GrainId, holder.Silo);
                activation.RequestDeactivation(DeactivationReason.ApplicationRequested, migrateTo: null, migrate: false);
                return false;
            }

            await Task.Delay(ContestedRetryPeriod, cancellationToken).ConfigureAwait(false);
        }
    }
}
