namespace Atelier.Grains.Memory;

/// <summary>What a lease accounts for.</summary>
public enum LeaseKind
{
    /// <summary>A loaded model (its weights and runtime state).</summary>
    Model,

    /// <summary>A session's cached tensor (SAM embedding, image tensor).</summary>
    SessionTensor,
}

/// <summary>Where a leased item currently lives.</summary>
public enum MemoryTier
{
    Device,

    /// <summary>Demoted: moved to host memory; promoted back on next use.</summary>
    Host,

    /// <summary>Given up: the holder must recompute or reload it; the lease accounts for nothing.</summary>
    Dropped,
}

/// <summary>
/// Called by the <see cref="DeviceMemoryManager"/> (under its lock) when it takes memory back from a lease.
/// Implementations must be quick and must not call back into the manager.
/// </summary>
public interface IMemoryReclaimer
{
    /// <summary>Move the item from device to host memory (session tensors only). Return false if it cannot be demoted.</summary>
    bool Demote(MemoryLease lease);

    /// <summary>Release the item's memory entirely (unload a model, free a cached tensor).</summary>
    void Drop(MemoryLease lease);
}

/// <summary>
/// A reservation of memory for one model or session tensor. While <see cref="Use"/> scopes are open the
/// item is never demoted, dropped or unloaded (a running model is never unloaded mid-run).
/// </summary>
public sealed class MemoryLease : IDisposable
{
    private readonly DeviceMemoryManager _manager;
    private int _useCount;

    internal MemoryLease(DeviceMemoryManager manager, string owner, LeaseKind kind, long bytes, bool pinned, IMemoryReclaimer reclaimer)
    {
        _manager = manager;
        Owner = owner;
        Kind = kind;
        Bytes = bytes;
        Pinned = pinned;
        Reclaimer = reclaimer;
    }

    /// <summary>Who holds it: a model id, or <c>session-id/embedding</c>.</summary>
    public string Owner { get; }

    public LeaseKind Kind { get; }

    public long Bytes { get; }

    /// <summary>Pinned leases are never reclaimed.</summary>
    public bool Pinned { get; }

    /// <summary>Current tier; changes only under the manager's lock.</summary>
    public MemoryTier Tier { get; internal set; } = MemoryTier.Device;

    /// <summary>True once disposed: the lease accounts for nothing.</summary>
    public bool IsReleased { get; internal set; }

    internal IMemoryReclaimer Reclaimer { get; }

    /// <summary>Logical time of the last use (higher = more recent).</summary>
    internal long LastUsed { get; set; }

    internal bool InUse => Volatile.Read(ref _useCount) > 0;

    /// <summary>
    /// Marks the item as in use (and most recently used) until the returned scope is disposed. The scope's
    /// <see cref="UseScope.Tier"/> says where the item is; it cannot be reclaimed while the scope is open,
    /// so a holder that finds it on the host can promote it, and one that finds it dropped can recompute it.
    /// </summary>
    public UseScope Use()
    {
        var tier = _manager.BeginUse(this);
        return new UseScope(this, tier);
    }

    /// <summary>Returns the lease's bytes to the budget.</summary>
    public void Dispose() => _manager.Release(this);

    /// <summary>Called under the manager's lock, so a use never races a reclaim.</summary>
    internal void BeginUseLocked() => Interlocked.Increment(ref _useCount);

    internal void EndUse() => Interlocked.Decrement(ref _useCount);

    /// <summary>An open use of a lease; disposing it ends the use.</summary>
    public readonly struct UseScope(MemoryLease lease, MemoryTier tier) : IDisposable
    {
        /// <summary>Where the item was when the use began.</summary>
        public MemoryTier Tier { get; } = tier;

        public void Dispose() => lease.EndUse();
    }
}
