using System.Collections.Immutable;

namespace Atelier.Runtime;

/// <summary>A call on its way to, or waiting in, an activation's mailbox. It is its own completion source.</summary>
internal sealed class CallWorkItem(
    GrainId grainId,
    GrainInterfaceInfo grainInterface,
    GrainMethod method,
    object?[] arguments,
    ImmutableDictionary<string, string>? context,
    CancellationToken cancellationToken,
    bool remoteOrigin)
    : TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public GrainId GrainId { get; } = grainId;

    public GrainInterfaceInfo Interface { get; } = grainInterface;

    public GrainMethod Method { get; } = method;

    public object?[] Arguments { get; } = arguments;

    /// <summary>The caller's <see cref="RequestContext"/>, restored for the turn.</summary>
    public ImmutableDictionary<string, string>? Context { get; } = context;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>Arrived from another silo: re-routing answers "not here" instead of forwarding.</summary>
    public bool RemoteOrigin { get; } = remoteOrigin;

    public int ForwardCount { get; set; }

    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp of entering a mailbox (0: not queued), for the wait metric.</summary>
    public long EnqueuedTimestamp { get; set; }

    /// <summary>The silo's timeout list while the caller waits (null: untracked); links are owned by it.</summary>
    internal CallTimeouts? Timeouts { get; set; }

    internal CallWorkItem? TimeoutPrevious { get; set; }

    internal CallWorkItem? TimeoutNext { get; set; }

    internal long Deadline { get; set; }

    public void Succeed(object? result)
    {
        if (TrySetResult(result))
        {
            Timeouts?.Remove(this);
        }
    }

    /// <summary>Fails the call; an <see cref="OperationCanceledException"/> cancels it instead.</summary>
    public void Fail(Exception exception)
    {
        var done = exception is OperationCanceledException canceled
            ? TrySetCanceled(canceled.CancellationToken)
            : TrySetException(exception);
        if (done)
        {
            Timeouts?.Remove(this);
        }
    }
}
