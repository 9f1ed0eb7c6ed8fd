namespace Atelier.Silo.Grpc;

/// <summary>Counts gRPC calls in flight and prompts the Interact streams dropped (for tests, logs and the health of the front end).</summary>
internal sealed class GrpcCallTracker
{
    private long _active;
    private long _completed;
    private long _droppedPrompts;

    /// <summary>Calls whose handler is still running.</summary>
    public long Active => Interlocked.Read(ref _active);

    /// <summary>Calls that have finished, whatever their status.</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Interact prompts dropped unanswered because a newer prompt had arrived.</summary>
    public long DroppedPrompts => Interlocked.Read(ref _droppedPrompts);

    public void Started() => Interlocked.Increment(ref _active);

    public void Finished()
    {
        Interlocked.Decrement(ref _active);
        Interlocked.Increment(ref _completed);
    }

    public void Dropped(long count) => Interlocked.Add(ref _droppedPrompts, count);
}
