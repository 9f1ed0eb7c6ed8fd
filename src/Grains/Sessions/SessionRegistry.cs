using System.Diagnostics.Metrics;
using Atelier.Grains.Memory;

namespace Atelier.Grains.Sessions;

/// <summary>Counts this silo's live sessions (for stats, metrics and placement).</summary>
public sealed class SessionRegistry
{
    private int _active;
    private long _opened;
    private long _closed;
    private long _expired;
    private long _rehomed;
    private long _migrated;

    /// <summary>Creates the registry; with a meter factory it also publishes the session metrics (<see cref="Diagnostics.SessionMetrics"/>).</summary>
    public SessionRegistry(IMeterFactory? meterFactory = null, DeviceMemoryManager? memory = null)
    {
        if (meterFactory is not null)
        {
            _ = new Diagnostics.SessionMetrics(meterFactory, this, memory);
        }
    }

    public int Active => Volatile.Read(ref _active);

    public long Opened => Interlocked.Read(ref _opened);

    public long Closed => Interlocked.Read(ref _closed);

    public long Expired => Interlocked.Read(ref _expired);

    /// <summary>Sessions reactivated on this silo from the session store.</summary>
    public long Rehomed => Interlocked.Read(ref _rehomed);

    /// <summary>Sessions that arrived on this silo by migration.</summary>
    public long Migrated => Interlocked.Read(ref _migrated);

    internal void CountRehomed() => Interlocked.Increment(ref _rehomed);

    /// <summary>To be called by a session that rehydrates from a migration (drain).</summary>
    internal void CountMigrated() => Interlocked.Increment(ref _migrated);

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
