using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Runtime;

/// <summary>Activation, deactivation and migration of one activation.</summary>
internal sealed partial class ActivationData
{
    /// <summary>
    /// Registers in the directory first (compare-and-set), and only if this activation won constructs the grain,
    /// rehydrates it when migrating and runs <see cref="Grain.OnActivateAsync"/>. A loser never constructs a grain,
    /// so "one activation" holds for constructors too.
    /// </summary>
    private async Task<bool> ActivateAsync()
    {
        var registered = false;
        try
        {
            if (!IsPerSilo)
            {
                GrainAddress winner;
                try
                {
                    winner = await Runtime.Directory.RegisterAsync(Address, _previous, CancellationToken.None).ConfigureAwait(false);
                }
                catch (ClusterUnavailableException) when (_isNewGrain)
                {
                    // The call creating this grain minted its id: no activation can exist anywhere else. Serve it now
                    // and register once the directory is reachable again (SiloRuntime.RegisterDeferredAsync).
                    winner = Address;
                    Runtime.DeferRegistration(this);
                }

                if (winner.ActivationId != Address.ActivationId)
                {
                    SiloRuntime.Log.LostRegistration(Runtime.Logger, GrainId, winner.Silo);
                    Runtime.CacheAddress(winner);
                    _activationFailure = null;
                    Finish();
                    _activated.TrySetResult(false);
                    return false;
                }

                registered = true;
            }

            var scope = Runtime.Services.CreateAsyncScope();
            _scope = scope;
            _grain = Grain.Construct(this, GrainClass.Factory, scope.ServiceProvider);
            if (_rehydration is { } rehydration)
            {
                _rehydration = null;
                (_grain as IGrainMigrationParticipant)?.OnRehydrate(rehydration);
            }

            await _grain.OnActivateAsync(Runtime.StoppingToken).ConfigureAwait(false);
            if (_state != ActivationState.Activating)
            {
                // Aborted at the shutdown deadline while OnActivateAsync was still running.
                await DisposeScopeAsync().ConfigureAwait(false);
                _activated.TrySetResult(false);
                return false;
            }

            Touch();
            _state = ActivationState.Valid;
            _activated.TrySetResult(true);
            return true;
        }
#pragma warning disable CA1031 // The failure goes to every queued caller.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            SiloRuntime.Log.ActivationFailed(Runtime.Logger, exception, GrainId);
            _activationFailure = exception;
            DisposeTimers();
            if (registered)
            {
                await UnregisterAsync().ConfigureAwait(false);
            }

            await DisposeScopeAsync().ConfigureAwait(false);
            Finish();
            _activated.TrySetResult(false);
            return false;
        }
    }

    private async Task HandleControlAsync(ControlItem control)
    {
        switch (control.Kind)
        {
            case ControlKind.Collect:
                _collectionPending = false;
                if (Volatile.Read(ref _queued) == 0
                    && Runtime.Time.GetElapsedTime(Volatile.Read(ref _lastActive)) >= GrainClass.CollectionAge)
                {
                    await DeactivateAsync(DeactivationReason.IdleCollection, CancellationToken.None).ConfigureAwait(false);
                }

                control.TrySetResult();
                break;
            case ControlKind.Shutdown:
                await DeactivateAsync(DeactivationReason.ShuttingDown, Runtime.StoppingToken).ConfigureAwait(false);
                control.TrySetResult();
                break;
            case ControlKind.StorageLost:
                await RecoverStorageAsync().ConfigureAwait(false);
                control.TrySetResult();
                break;
            case ControlKind.Migrate:
                if (!control.Task.IsCompleted) // a drain withdraws migrations not started by its deadline
                {
                    await MigrateAsync(control.Target, control).ConfigureAwait(false);
                }

                break;
            default:
                control.TrySetResult();
                break;
        }
    }

    private async Task RecoverStorageAsync()
    {
        if (_grain is not IGrainStorageRecoveryParticipant participant)
        {
            return;
        }

        try
        {
            await participant.OnStorageLostAsync(Runtime.StoppingToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The grain keeps serving; its own write-through tries again on its next change.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            SiloRuntime.Log.StorageRecoveryFailed(Runtime.Logger, exception, GrainId);
        }
    }

    private async Task DeactivateAsync(DeactivationReason reason, CancellationToken stopping)
    {
        _state = ActivationState.Deactivating;
        DisposeTimers();
        await RunOnDeactivateAsync(reason, stopping).ConfigureAwait(false);
        if (!IsPerSilo)
        {
            await UnregisterAsync().ConfigureAwait(false);
        }

        await DisposeScopeAsync().ConfigureAwait(false);
        Finish();
    }

    /// <summary>
    /// Moves this activation: <see cref="Grain.OnDeactivateAsync"/>, dehydrate, ask the target silo to rehydrate and
    /// take over the directory entry (compare-and-set on this activation's address), then re-route what queued here.
    /// </summary>
    private async Task MigrateAsync(SiloAddress? target, ControlItem? control)
    {
        SiloAddress destination;
        try
        {
            destination = target ?? Runtime.PlaceForMigration(this);
            if (destination == Runtime.Address)
            {
                throw new ArgumentException("A grain cannot migrate to the silo it is on.", nameof(target));
            }
        }
#pragma warning disable CA1031 // No target: the activation simply stays.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            control?.TrySetException(exception);
            return;
        }

        _state = ActivationState.Deactivating;
        DisposeTimers();
        await RunOnDeactivateAsync(DeactivationReason.Migrating, CancellationToken.None).ConfigureAwait(false);
        Exception? failure = null;
        try
        {
            var state = new MigrationContext();
            (_grain as IGrainMigrationParticipant)?.OnDehydrate(state);
            var moved = await Runtime.SendMigrationAsync(destination, Address, state).ConfigureAwait(false);
            Runtime.CacheAddress(moved);
            SiloRuntime.Log.Migrated(Runtime.Logger, GrainId, destination);
        }
#pragma warning disable CA1031 // Reported to the requester; the grain is deactivated either way.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            failure = exception;
            SiloRuntime.Log.MigrationFailed(Runtime.Logger, exception, GrainId, destination);
            await UnregisterAsync().ConfigureAwait(false);
        }

        await DisposeScopeAsync().ConfigureAwait(false);
        Finish();
        if (failure is null)
        {
            control?.TrySetResult();
        }
        else
        {
            control?.TrySetException(failure);
        }
    }

    /// <summary>Ends the activation without waiting for its turn (shutdown deadline, or the silo was killed:
    /// then <paramref name="unregister"/> is false, as a dead process cannot clean its directory entries).</summary>
    public void Abort(bool unregister = true)
    {
        if (_state == ActivationState.Invalid)
        {
            return;
        }

        _state = ActivationState.Deactivating;
        DisposeTimers();
        if (unregister && !IsPerSilo)
        {
            _ = UnregisterAsync();
        }

        Finish();
    }

    private async Task RunOnDeactivateAsync(DeactivationReason reason, CancellationToken stopping)
    {
        using var deadline = new CancellationTokenSource(Runtime.Options.DeactivationTimeout, Runtime.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, stopping);
        try
        {
            await _grain!.OnDeactivateAsync(reason, linked.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A failing OnDeactivateAsync must not keep the activation alive.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            SiloRuntime.Log.DeactivationFailed(Runtime.Logger, exception, GrainId);
        }
    }

    private async Task UnregisterAsync()
    {
        try
        {
            await Runtime.Directory.UnregisterAsync(Address, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A stale entry is taken over by the next activator.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            SiloRuntime.Log.UnregisterFailed(Runtime.Logger, exception, GrainId);
        }
    }

    private async Task DisposeScopeAsync()
    {
        if (_scope is { } scope)
        {
            _scope = null;
            try
            {
                await scope.DisposeAsync().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Disposal failures are logged, never thrown into the turn loop.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                SiloRuntime.Log.DeactivationFailed(Runtime.Logger, exception, GrainId);
            }
        }
    }

    /// <summary>Leaves the silo's table, closes the mailbox and re-routes (or fails) everything still queued.</summary>
    private void Finish()
    {
        Runtime.RemoveActivation(this);
        _state = ActivationState.Invalid;
        _mailbox.Writer.TryComplete();
        while (_mailbox.Reader.TryRead(out var item))
        {
            Reject(item);
        }

        _completed.TrySetResult();
    }

    private void DisposeTimers()
    {
        GrainTimer[] timers;
        lock (_timers)
        {
            timers = [.. _timers];
            _timers.Clear();
        }

        foreach (var timer in timers)
        {
            timer.Dispose();
        }
    }
}
