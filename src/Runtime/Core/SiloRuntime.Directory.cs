namespace Atelier.Runtime;

/// <summary>Directory repair: registering this silo's activations again after the directory lost its entries.</summary>
public sealed partial class SiloRuntime
{
    /// <summary>
    /// Registers every live activation of this silo in the directory again (compare-and-set on "no entry"), for
    /// directories that lost their entries (a Redis restarted empty). An activation whose grain was registered
    /// meanwhile by another silo lost the race and is deactivated, so single activation holds again.
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

            var holder = await Directory.RegisterAsync(activation.Address, previous: null, cancellationToken).ConfigureAwait(false);
            if (holder != activation.Address)
            {
                Log.DirectoryEntryLost(Logger, activation.GrainId, holder.Silo);
                activation.RequestDeactivation(DeactivationReason.ApplicationRequested, migrateTo: null, migrate: false);
                lost++;
            }
        }

        return lost;
    }
}
