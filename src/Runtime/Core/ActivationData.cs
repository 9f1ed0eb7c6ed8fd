using Atelier.Runtime.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using System.Threading.Channels;

namespace Atelier.Runtime;

/// <summary>
/// One activation of a grain: its instance, its mailbox and its turn loop. The loop takes one item at a time in
/// FIFO order and awaits it before taking the next, so grain code never runs concurrently with itself. Exceptions:
/// consecutive <see cref="ReadOnlyAttribute"/> calls run together (reader/writer turns) and
/// <see cref="AlwaysInterleaveAttribute"/> calls bypass the mailbox. Continuations run on the thread pool (no
/// per-activation thread), but never overlap: the loop awaits each turn.
/// </summary>
internal sealed partial class ActivationData
{
    private readonly Channel<object> _mailbox = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleWriter = false });
    private readonly TaskCompletionSource<bool> _activated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<GrainTimer> _timers = [];
    private readonly GrainAddress? _previous;
    private readonly bool _isNewGrain;
    private MigrationContext? _rehydration;
    private List<Task>? _readers;
    private int _queued;
    private int _running;
    private long _lastActive;
    private volatile ActivationState _state;
    private PendingDeactivation? _pending;
    private bool _collectionPending;
    private Grain? _grain;
    private AsyncServiceScope? _scope;
    private Exception? _activationFailure;

    /// <param name="isNewGrain">The creating call minted the grain's id (<see cref="PlacementHints.NewGrainKey"/>): if the
    /// directory is unreachable, the activation serves anyway and is registered when it is back.</param>
    public ActivationData(SiloRuntime runtime, GrainClassInfo grainClass, GrainId grainId, GrainAddress? previous, MigrationContext? rehydration,
        bool isNewGrain = false)
    {
        Runtime = runtime;
        GrainClass = grainClass;
        GrainId = grainId;
        Address = new GrainAddress(grainId, runtime.Address, Guid.NewGuid());
        _previous = previous;
        _rehydration = rehydration;
        _isNewGrain = isNewGrain;
        _lastActive = runtime.Time.GetTimestamp();
    }

    public SiloRuntime Runtime { get; }

    public GrainClassInfo GrainClass { get; }

    public GrainId GrainId { get; }

    public GrainAddress Address { get; }

    public ActivationState State => _state;

    /// <summary>Created by the call that minted the grain's id (<see cref="PlacementHints.NewGrainKey"/>).</summary>
    public bool IsNewGrain => _isNewGrain;

    /// <summary>Completes with true once <see cref="Grain.OnActivateAsync"/> succeeded, false if activation failed.</summary>
    public Task<bool> Activated => _activated.Task;

    /// <summary>Completes when the activation is gone.</summary>
    public Task Completion => _completed.Task;

    public Exception? ActivationFailure => _activationFailure;

    public int QueueLength => Volatile.Read(ref _queued);

    private bool IsPerSilo => GrainClass.Interface.IsPerSilo;

    /// <summary>Starts the turn loop without the creator's execution context (its request context stays with it).</summary>
    public void Start()
    {
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(RunAsync);
        }
    }

    /// <summary>
    /// Queues a call. Returns false when this activation no longer accepts calls (route again); a full mailbox
    /// fails the call with <see cref="GrainOverloadedException"/> and returns true.
    /// </summary>
    public bool TryEnqueue(CallWorkItem call)
    {
        if (_state >= ActivationState.Deactivating)
        {
            return false;
        }

        if (call.Method.AlwaysInterleave)
        {
            _ = RunInterleavedAsync(call);
            return true;
        }

        if (Interlocked.Increment(ref _queued) > Runtime.Options.MailboxCapacity)
        {
            Interlocked.Decrement(ref _queued);
            call.Fail(new GrainOverloadedException(
                $"The mailbox of {GrainId} is full ({Runtime.Options.MailboxCapacity} calls waiting)."));
            return true;
        }

        call.EnqueuedTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
        if (_mailbox.Writer.TryWrite(call))
        {
            return true;
        }

        Interlocked.Decrement(ref _queued);
        return false;
    }

    /// <summary>Queues a lifecycle request; completes it at once when the activation is already gone.</summary>
    public void EnqueueControl(ControlItem control)
    {
        if (!_mailbox.Writer.TryWrite(control))
        {
            CompleteGone(control);
        }
    }

    public bool EnqueueTimerTick(GrainTimer timer) => _state <= ActivationState.Valid && _mailbox.Writer.TryWrite(timer);

    /// <summary>Asks the idle collector's question: idle for at least the type's collection age?</summary>
    public bool IsCollectable(long now) =>
        _state == ActivationState.Valid
        && !GrainClass.AlwaysActive
        && !_collectionPending
        && Volatile.Read(ref _queued) == 0
        && Volatile.Read(ref _running) == 0
        && Runtime.Time.GetElapsedTime(Volatile.Read(ref _lastActive), now) >= GrainClass.CollectionAge;

    public void MarkCollectionPending() => _collectionPending = true;

    public void RequestDeactivation(DeactivationReason reason, SiloAddress? migrateTo, bool migrate)
    {
        _pending = new PendingDeactivation(reason, migrate, migrateTo);
        EnqueueControl(new ControlItem(ControlKind.Wake)); // requested from a read-only or interleaved call: the loop may be idle
    }

    public IGrainTimer RegisterTimer(Func<CancellationToken, Task> callback, GrainTimerCreationOptions options)
    {
        if (_state >= ActivationState.Deactivating)
        {
            throw new InvalidOperationException($"Activation of {GrainId} is deactivating; no timers can be registered.");
        }

        var timer = new GrainTimer(this, callback, options);
        lock (_timers)
        {
            _timers.Add(timer);
        }

        timer.Start();
        return timer;
    }

    public void RemoveTimer(GrainTimer timer)
    {
        lock (_timers)
        {
            _timers.Remove(timer);
        }
    }

    public void Touch() => Volatile.Write(ref _lastActive, Runtime.Time.GetTimestamp());

    /// <summary>Runs a timer tick as an exclusive turn, or at once when the timer interleaves.</summary>
    public async Task RunTimerInterleavedAsync(GrainTimer timer)
    {
        if (await _activated.Task.ConfigureAwait(false) && _state == ActivationState.Valid)
        {
            await timer.TickAsync().ConfigureAwait(false);
        }
    }

    private async Task RunAsync()
    {
        if (!await ActivateAsync().ConfigureAwait(false))
        {
            return;
        }

        var reader = _mailbox.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var item))
            {
                if (_state != ActivationState.Valid)
                {
                    Reject(item);
                    continue;
                }

                await ProcessAsync(item).ConfigureAwait(false);
                if (_pending is { } pending && _state == ActivationState.Valid)
                {
                    _pending = null;
                    await WaitForReadersAsync().ConfigureAwait(false);
                    if (pending.Migrate)
                    {
                        await MigrateAsync(pending.Target, control: null).ConfigureAwait(false);
                    }
                    else
                    {
                        await DeactivateAsync(pending.Reason, CancellationToken.None).ConfigureAwait(false);
                    }
                }

                if (_state == ActivationState.Invalid)
                {
                    return;
                }
            }
        }
    }

    private async Task ProcessAsync(object item)
    {
        switch (item)
        {
            case CallWorkItem call:
                Interlocked.Decrement(ref _queued);
                Runtime.Metrics.MailboxWaited(call);
                if (call.Method.ReadOnly)
                {
                    var readers = _readers ??= [];
                    if (readers.Count >= 64)
                    {
                        readers.RemoveAll(static t => t.IsCompleted);
                    }

                    readers.Add(ExecuteCallAsync(call));
                    return;
                }

                await WaitForReadersAsync().ConfigureAwait(false);
                await ExecuteCallAsync(call).ConfigureAwait(false);
                return;
            case GrainTimer timer:
                await WaitForReadersAsync().ConfigureAwait(false);
                await timer.TickAsync().ConfigureAwait(false);
                return;
            case ControlItem control:
                await WaitForReadersAsync().ConfigureAwait(false);
                await HandleControlAsync(control).ConfigureAwait(false);
                return;
        }
    }

    private async Task RunInterleavedAsync(CallWorkItem call)
    {
        if (!await _activated.Task.ConfigureAwait(false))
        {
            call.Fail(_activationFailure!);
            return;
        }

        if (_state != ActivationState.Valid)
        {
            Runtime.Reroute(call, forward: null);
            return;
        }

        await ExecuteCallAsync(call).ConfigureAwait(false);
    }

    private async Task ExecuteCallAsync(CallWorkItem call)
    {
        Interlocked.Increment(ref _running);
        RequestContext.Current = call.Context;
        using var activity = RuntimeTelemetry.StartCall(call, Runtime.Address);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var ok = false;
        try
        {
            var result = Runtime.IncomingFilters.Length == 0
                ? await call.Method.Invoker(_grain!, call.Arguments).ConfigureAwait(false)
                : await new IncomingCallContext(_grain!, call, Runtime.IncomingFilters).RunAsync().ConfigureAwait(false);
            ok = true;
            call.Succeed(result);
        }
#pragma warning disable CA1031 // Every grain exception belongs to its caller.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, exception.GetType().Name);
            ExceptionOrigin.Set(exception, Runtime.Name);
            call.Fail(exception);
        }
        finally
        {
            Runtime.Metrics.CallCompleted(call, started, ok);
            Touch();
            Interlocked.Decrement(ref _running);
        }
    }

    private async Task WaitForReadersAsync()
    {
        if (_readers is { Count: > 0 } readers)
        {
            await Task.WhenAll(readers).ConfigureAwait(false);
            readers.Clear();
        }
    }

    private void Reject(object item)
    {
        switch (item)
        {
            case CallWorkItem call:
                Interlocked.Decrement(ref _queued);
                if (_activationFailure is { } failure)
                {
                    call.Fail(failure);
                }
                else
                {
                    Runtime.Reroute(call, Runtime.TryGetCachedAddress(GrainId));
                }

                break;
            case ControlItem control:
                CompleteGone(control);
                break;
        }
    }

    private void CompleteGone(ControlItem control)
    {
        if (control.Kind == ControlKind.Migrate)
        {
            control.TrySetException(new InvalidOperationException($"{GrainId} is no longer active on silo {Runtime.Address}."));
        }
        else
        {
            control.TrySetResult();
        }
    }

    private readonly record struct PendingDeactivation(DeactivationReason Reason, bool Migrate, SiloAddress? Target);
}
