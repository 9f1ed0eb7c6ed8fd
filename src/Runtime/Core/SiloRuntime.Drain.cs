using System.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace Atelier.Runtime;

/// <summary>
/// Graceful drain: on stop, activations whose state can travel migrate to other active silos first. Under a generic
/// host the whole stop (drain, deactivation, the dead mark in membership) runs in <see cref="StoppingAsync"/>, which
/// the host calls on every lifecycle service before it stops any hosted service: the web server (a hosted service too)
/// therefore keeps answering "not here, ask the new owner" while grains move, and until the other silos can read that
/// this silo is dead (then they re-resolve instead of failing on a closed port). Without a host (tests),
/// <see cref="StopAsync"/> does the same.
/// </summary>
public sealed partial class SiloRuntime : IHostedLifecycleService
{
    private Task? _stopPhase;
    private CancellationTokenSource? _shutdownDeadline;
    private CancellationTokenRegistration _hostStoppingRegistration;
    private bool _deactivating;

    /// <inheritdoc />
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stops the silo (drain first, see <see cref="DrainAsync"/>) while the host's other services still run.</summary>
    public Task StoppingAsync(CancellationToken cancellationToken) => StopAsync(cancellationToken);

    /// <inheritdoc />
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Runs the first phase once: no new activations or migrations in, shutting-down in membership (no new placements
    /// here), timers off, then the drain. Starts the one <see cref="SiloRuntimeOptions.ShutdownTimeout"/> deadline both
    /// phases share; <paramref name="cancellationToken"/> (the host's shutdown deadline) cuts it shorter.
    /// </summary>
    private Task BeginStopAsync(CancellationToken cancellationToken)
    {
        lock (_lifecycleLock)
        {
            if (_stopPhase is not null)
            {
                return _stopPhase;
            }

            if (_stopRequested)
            {
                return Task.CompletedTask; // killed: nothing to drain
            }

            _stopRequested = true;
            _shutdownDeadline = new CancellationTokenSource(Options.ShutdownTimeout, Time);
            _hostStoppingRegistration = cancellationToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), _shutdownDeadline);
            var deadline = _shutdownDeadline.Token;
            _stopPhase = Task.Run(() => MarkShuttingDownAndDrainAsync(deadline), CancellationToken.None);
            return _stopPhase;
        }
    }

    private async Task MarkShuttingDownAndDrainAsync(CancellationToken deadline)
    {
        Log.Stopping(Logger, Address, _activations.Count);
        try
        {
            await _membership.SetStatusAsync(Address, SiloStatus.ShuttingDown, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Shutdown goes on whatever membership says.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.MembershipUpdateFailed(Logger, exception);
        }

        _collectionTimer?.Dispose();
        _loadTimer?.Dispose();
        if (Options.DrainOnShutdown)
        {
            await DrainAsync(deadline).ConfigureAwait(false);
        }
    }

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
