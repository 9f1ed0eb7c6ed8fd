using System.Diagnostics;

namespace Atelier.Runtime;

/// <summary>Graceful drain: on stop, activations whose state can travel migrate to other active silos first.</summary>
public sealed partial class SiloRuntime
{
    /// <summary>
    /// Migrates every activation of a class implementing <see cref="IGrainMigrationParticipant"/> to a silo its
    /// placement director picks among the other active silos (this silo is already shutting down, so it is not a
    /// candidate), at most <see cref="SiloRuntimeOptions.MaxConcurrentDrainMigrations"/> at once, until
    /// <see cref="SiloRuntimeOptions.DrainTimeout"/> (never more than half of the shutdown deadline when that is
    /// shorter). Calls queued on a migrating activation are re-routed to its new owner by the runtime; a migration that
    /// fails leaves the grain deactivated (its durable state is the product's store). Whatever has not moved by the
    /// deadline is left to the ordinary shutdown deactivation.
    /// </summary>
    private async Task DrainAsync(CancellationToken shutdownDeadline)
    {
        var candidates = new List<ActivationData>();
        foreach (var activation in _activations.Values)
        {
            if (!activation.GrainClass.Interface.IsPerSilo
                && typeof(IGrainMigrationParticipant).IsAssignableFrom(activation.GrainClass.ImplementationType))
            {
                candidates.Add(activation);
            }
        }

        if (candidates.Count == 0)
        {
            return;
        }

        if (!HasOtherActiveSilo())
        {
            Log.DrainSkipped(Logger, Address);
            return;
        }

        Log.Draining(Logger, Address, candidates.Count);
        var started = Stopwatch.GetTimestamp();
        var drainTimeout = Options.DrainTimeout < Options.ShutdownTimeout ? Options.DrainTimeout : Options.ShutdownTimeout / 2;
        using var deadline = new CancellationTokenSource(drainTimeout, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, shutdownDeadline);
        var migrated = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Options.MaxConcurrentDrainMigrations, CancellationToken = linked.Token };
        try
        {
            await Parallel.ForEachAsync(candidates, parallel, async (activation, ct) =>
            {
                if (await TryDrainOneAsync(activation, ct).ConfigureAwait(false))
                {
                    Interlocked.Increment(ref migrated);
                }
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            // Deadline: what has not moved is deactivated by the shutdown that follows.
        }

        Log.Drained(Logger, Address, migrated, _activations.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>Migrates one activation; false when it was already gone, had no target or the migration failed.</summary>
    private async Task<bool> TryDrainOneAsync(ActivationData activation, CancellationToken cancellationToken)
    {
        if (activation.State >= ActivationState.Deactivating || !HasOtherActiveSilo())
        {
            return false;
        }

        var control = new ControlItem(ControlKind.Migrate);
        activation.EnqueueControl(control);
        try
        {
            await control.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Not started by the deadline: withdraw it so the activation deactivates instead of moving late.
            control.TrySetCanceled(cancellationToken);
            throw;
        }
#pragma warning disable CA1031 // Logged by the activation; the drain goes on with the others.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    private bool HasOtherActiveSilo()
    {
        foreach (var silo in _membership.GetActiveSilos())
        {
            if (silo.Silo != Address)
            {
                return true;
            }
        }

        return false;
    }
}
