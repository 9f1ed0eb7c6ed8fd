namespace Atelier.Grains.Sessions;

/// <summary>Counts this silo's live sessions (for stats, metrics and placement).</summary>
public sealed class SessionRegistry
{
    private int _active;
    private long _opened;
    private long _closed;
    private long _expired;

    public int Active => Volatile.Read(ref _active);

    public long Opened => Interlocked.Read(ref _opened);

    public long Closed => Interlocked.Read(ref _closed);

    public long Expired => Interlocked.Read(ref _expired);

    internal void Activated() => Interlocked.Increment(ref _active);

    internal void Deactivated() => Interlocked.Decrement(ref _active);

    internal void CountOpened() => Interlocked.Increment(ref _opened);

    internal void CountEnded(bool expired)
    {
        if (expired)
        {
            Interlocked.Increment(ref _expired);
        }
        else
        {
            Interlocked.Increment(ref _closed);
        }
    }
}
