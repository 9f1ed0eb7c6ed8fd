using Atelier.Runtime.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Runtime;

/// <summary>Outgoing calls: routing to a local activation or through the transport, re-routing, placement.</summary>
public sealed partial class SiloRuntime
{
    private static readonly TimeSpan FailoverPollPeriod = TimeSpan.FromMilliseconds(50);

    /// <summary>Entry point of every call made through a grain reference of this silo.</summary>
    internal Task<object?> InvokeAsync(GrainId grainId, GrainInterfaceInfo grainInterface, GrainMethod method, object?[] arguments) =>
        OutgoingFilters.Length == 0
            ? SendAsync(grainId, grainInterface, method, arguments)
            : new OutgoingCallContext(this, grainId, grainInterface, method, arguments, OutgoingFilters).RunAsync();

    internal Task<object?> SendAsync(GrainId grainId, GrainInterfaceInfo grainInterface, GrainMethod method, object?[] arguments)
    {
        var cancellationToken = method.GetCancellationToken(arguments);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<object?>(cancellationToken);
        }

        var call = new CallWorkItem(grainId, grainInterface, method, arguments, RuntimeTelemetry.Inject(RequestContext.Current), cancellationToken, remoteOrigin: false);
        _timeouts?.Track(call);
        Dispatch(call);
        var task = call.Task;
        return task.IsCompleted || !cancellationToken.CanBeCanceled ? task : task.WaitAsync(cancellationToken);
    }

    /// <summary>Routes a call: the local activation if there is one, else resolution (directory, placement).</summary>
    internal void Dispatch(CallWorkItem call)
    {
        if (_activations.TryGetValue(call.GrainId, out var activation) && activation.TryEnqueue(call))
        {
            return;
        }

        _ = call.RemoteOrigin ? DispatchIncomingAsync(call) : DispatchAsync(call);
    }

    /// <summary>Sends a call that an activation could not take (it deactivated or moved) somewhere else.</summary>
    internal void Reroute(CallWorkItem call, GrainAddress? forward)
    {
        if (call.RemoteOrigin)
        {
            call.Fail(new ActivationUnavailableException(forward));
            return;
        }

        Metrics.Rerouted("deactivated");
        if (++call.ForwardCount > Options.MaxForwardCount)
        {
            call.Fail(new SiloUnavailableException($"{call.GrainId} could not be reached after {Options.MaxForwardCount} re-routes."));
            return;
        }

        if (forward is not null)
        {
            CacheAddress(forward);
        }

        Dispatch(call);
    }

    /// <summary>Picks another silo for a migrating activation with its class's placement director.</summary>
    internal SiloAddress PlaceForMigration(ActivationData activation)
    {
        var others = _membership.GetActiveSilos().Where(s => s.Silo != Address).ToArray();
        if (others.Length == 0)
        {
            throw new InvalidOperationException($"No other active silo to migrate {activation.GrainId} to.");
        }

        return GetDirector(activation.GrainClass.DirectorType).Place(new PlacementRequest(activation.GrainId, Address, Model: null), others);
    }

    private async Task DispatchAsync(CallWorkItem call)
    {
        try
        {
            var failedOver = false;
            for (var attempt = 0; ; attempt++)
            {
                var (local, remote) = await ResolveAsync(call).ConfigureAwait(false);
                if (local is not null)
                {
                    if (local.TryEnqueue(call))
                    {
                        return;
                    }

                    await local.Completion.ConfigureAwait(false); // deactivating: route again once it is gone
                }
                else
                {
                    try
                    {
                        Metrics.Forwarded(call);
                        call.Succeed(await CallRemoteAsync(remote, call).ConfigureAwait(false));
                        return;
                    }
                    catch (ActivationUnavailableException moved) when (attempt < Options.MaxForwardCount)
                    {
                        Metrics.Rerouted("moved");
                        _addressCache.TryRemove(call.GrainId, out _);
                        if (moved.Forward is { } forward)
                        {
                            CacheAddress(forward);
                        }
                    }
                    catch (SiloUnavailableException unavailable) when (attempt < Options.MaxForwardCount
                        && _membership.GetStatus(remote) == SiloStatus.Dead && IsSafeToResend(call, unavailable))
                    {
                        Metrics.Rerouted("silo_dead");
                        _addressCache.TryRemove(call.GrainId, out _);
                    }
                    catch (SiloUnavailableException unavailable) when (attempt < Options.MaxForwardCount && !failedOver && MayRetry(call, unavailable))
                    {
                        // The owner died with the call in flight (or before it arrived): once membership declares it
                        // dead, send the call once more through a fresh lookup (the grain reactivates elsewhere).
                        failedOver = true;
                        _addressCache.TryRemove(call.GrainId, out _);
                        Log.FailoverWaiting(Logger, call.GrainId, remote);
                        if (!await WaitUntilDeadAsync(remote, call.CancellationToken).ConfigureAwait(false))
                        {
                            throw;
                        }
                    }
                }

                if (attempt >= Options.MaxForwardCount)
                {
                    throw new SiloUnavailableException($"{call.GrainId} could not be reached after {attempt + 1} attempts.");
                }
            }
        }
#pragma warning disable CA1031 // Every failure belongs to the caller.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            call.Fail(exception is ActivationUnavailableException ? new SiloUnavailableException(exception.Message, exception) : exception);
        }
    }

    /// <summary>Where to send a call from this silo: a local activation, or a remote silo.</summary>
    private async ValueTask<(ActivationData? Local, SiloAddress Remote)> ResolveAsync(CallWorkItem call)
    {
        var grainId = call.GrainId;
        if (call.Interface.IsPerSilo)
        {
            var silo = SiloAddress.Parse(grainId.Key);
            return silo == Address ? (GetOrCreateActivation(call.Interface, grainId, previous: null), default) : (null, silo);
        }

        if (_activations.TryGetValue(grainId, out var activation))
        {
            return (activation, default);
        }

        if (_addressCache.TryGetValue(grainId, out var cached) && IsReachable(cached.Silo))
        {
            return (null, cached.Silo);
        }

        GrainAddress? address;
        try
        {
            address = await Directory.LookupAsync(grainId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ClusterUnavailableException) when (IsNewGrain(call) && !_stopRequested)
        {
            // The directory is unreachable, but this call minted the grain's id: nobody else can hold it. Serve it
            // here; it is registered when the directory is back.
            return (GetOrCreateActivation(call.Interface, grainId, previous: null, isNewGrain: true), default);
        }

        if (address is not null && address.Silo != Address
            && (IsReachable(address.Silo) || !await _membership.IsDeadAsync(address.Silo, CancellationToken.None).ConfigureAwait(false)))
        {
            // Reachable, or unknown to the local view but not dead when checked now (it joined moments ago): its entry
            // stands; only a silo known dead at take-over time loses its entries.
            CacheAddress(address);
            return (null, address.Silo);
        }

        // No live activation anywhere: the entry is absent, ours but stale, or its silo is dead. Place a new one;
        // the directory's compare-and-set decides between racing activators.
        var target = Place(call);
        return target == Address
            ? (GetOrCreateActivation(call.Interface, grainId, previous: address, isNewGrain: IsNewGrain(call)), default)
            : (null, target);
    }

    private static bool IsNewGrain(CallWorkItem call) =>
        call.Context is { } context && context.TryGetValue(PlacementHints.NewGrainKey, out var key)
        && string.Equals(key, call.GrainId.Key, StringComparison.Ordinal);

    private SiloAddress Place(CallWorkItem call)
    {
        var silos = _membership.GetActiveSilos();
        if (silos.Count == 0)
        {
            return _stopRequested ? throw new SiloUnavailableException($"No active silo can host {call.GrainId}.") : Address;
        }

        var directorType = _classes.TryGetValue(call.Interface.Name, out var info) ? info.DirectorType : Options.DefaultPlacement;
        string? model = null;
        call.Context?.TryGetValue(PlacementHints.ModelKey, out model);
        return GetDirector(directorType).Place(new PlacementRequest(call.GrainId, Address, model), silos);
    }

    private IPlacementDirector GetDirector(Type directorType) =>
        _directors.GetOrAdd(directorType, t => (IPlacementDirector)ActivatorUtilities.GetServiceOrCreateInstance(Services, t));

    /// <summary>A call may be sent again after its silo failed: it never arrived, or running it twice is harmless.</summary>
    private bool MayRetry(CallWorkItem call, SiloUnavailableException failure) =>
        Options.FailoverWait > TimeSpan.Zero && IsSafeToResend(call, failure);

    private static bool IsSafeToResend(CallWorkItem call, SiloUnavailableException failure) =>
        failure.NotDelivered || call.Method.Idempotent || call.Context?.ContainsKey(RequestContext.IdempotencyKey) == true;

    /// <summary>
    /// Polls the local membership view (refreshed by the membership's own loop and change notifications) until
    /// <paramref name="silo"/> is dead, up to <see cref="SiloRuntimeOptions.FailoverWait"/>. Real time on purpose:
    /// failure detection runs on wall-clock heartbeats and probes, whatever clock the runtime's timers use.
    /// </summary>
    private async Task<bool> WaitUntilDeadAsync(SiloAddress silo, CancellationToken cancellationToken)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)(Options.FailoverWait.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (_membership.GetStatus(silo) != SiloStatus.Dead)
        {
            if (TimeProvider.System.GetTimestamp() >= deadline || _stopRequested)
            {
                return false;
            }

            await Task.Delay(FailoverPollPeriod, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    private bool IsReachable(SiloAddress silo) => silo != Address && _membership.GetStatus(silo) is SiloStatus.Active or SiloStatus.ShuttingDown;

    private async Task<object?> CallRemoteAsync(SiloAddress target, CallWorkItem call)
    {
        var callId = Interlocked.Increment(ref _nextCallId);
        using var writer = new FrameWriter();
        MessageCodec.WriteRequest(writer, callId, Address, call);
        CancellationTokenSource? cancel = null;
        CancellationTokenRegistration fromCaller = default;
        CancellationTokenRegistration registration = default;
        if (call.Method.CancellationTokenIndex >= 0)
        {
            // The callee's token fires when the caller cancels or the call times out: a cancel frame carries it.
            cancel = Options.ResponseTimeout == Timeout.InfiniteTimeSpan
                ? new CancellationTokenSource()
                : new CancellationTokenSource(Options.ResponseTimeout, Time);
            fromCaller = call.CancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), cancel);
            registration = cancel.Token.UnsafeRegister(
                static s =>
                {
                    var (runtime, silo, id) = ((SiloRuntime, SiloAddress, long))s!;
                    _ = runtime.SendCancelAsync(silo, id);
                },
                (this, target, callId));
        }

        try
        {
            var response = await _transport.SendRequestAsync(target, writer.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
            return MessageCodec.ReadResponse(response, call.Method, call.CancellationToken);
        }
        finally
        {
            await fromCaller.DisposeAsync().ConfigureAwait(false);
            await registration.DisposeAsync().ConfigureAwait(false);
            cancel?.Dispose();
        }
    }

    private async Task SendCancelAsync(SiloAddress target, long callId)
    {
        try
        {
            using var writer = new FrameWriter(64);
            MessageCodec.WriteCancel(writer, callId, Address);
            await _transport.SendOneWayAsync(target, writer.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Best effort: the call's own timeout still applies.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.CancelSendFailed(Logger, exception, target);
        }
    }
}
