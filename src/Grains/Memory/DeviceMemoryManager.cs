using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Atelier.Grains.Memory;

/// <summary>
/// The silo's one accountant of device memory (one per device). Everything resident on the device —
/// loaded models and cached session tensors — holds a <see cref="MemoryLease"/>. A reservation that does
/// not fit first demotes least recently used session tensors to host memory (dropping them when the host
/// budget is full too) and unloads least recently used models, in the configured order; pinned and
/// in-use items are never reclaimed. If it still does not fit, it fails with
/// <see cref="DeviceMemoryExhaustedException"/>: the budget is never exceeded.
/// </summary>
public sealed partial class DeviceMemoryManager
{
    private readonly Lock _lock = new();
    private readonly List<MemoryLease> _leases = [];
    private readonly DeviceMemoryOptions _options;
    private readonly ILogger<DeviceMemoryManager> _logger;
    private readonly long _budget;
    private readonly long _hostBudget;
    private long _clock;

    public DeviceMemoryManager(IOptions<DeviceMemoryOptions> options, ILogger<DeviceMemoryManager> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        _budget = _options.EffectiveDeviceBudget;
        _hostBudget = _options.EffectiveHostBudget;
        if (_budget <= 0 || _hostBudget < 0)
        {
            throw new ArgumentException("Device:MemoryBudgetBytes must be positive and Device:HostBudgetBytes non-negative.", nameof(options));
        }
    }

    public long DeviceBudgetBytes => _budget;

    public long HostBudgetBytes => _hostBudget;

    /// <summary>Bytes currently accounted on the device.</summary>
    public long DeviceBytesUsed { get; private set; }

    /// <summary>Bytes of demoted session tensors currently accounted in host memory.</summary>
    public long HostBytesUsed { get; private set; }

    /// <summary>Counters for metrics: demotions, drops and model evictions since start.</summary>
    public MemoryCounters Counters => new(_demotions, _drops, _evictions, _exhausted);

    private long _demotions;
    private long _drops;
    private long _evictions;
    private long _exhausted;

    /// <summary>
    /// Reserves <paramref name="bytes"/> on the device for <paramref name="owner"/>, reclaiming memory from
    /// other leases if needed. The new lease starts as most recently used.
    /// </summary>
    public MemoryLease Reserve(string owner, LeaseKind kind, long bytes, IMemoryReclaimer reclaimer, bool pinned = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentNullException.ThrowIfNull(reclaimer);
        lock (_lock)
        {
            MakeRoomOnDevice(bytes, owner, exclude: null);
            var lease = new MemoryLease(this, owner, kind, bytes, pinned, reclaimer) { LastUsed = ++_clock };
            _leases.Add(lease);
            DeviceBytesUsed += bytes;
            AssertWithinBudget();
            return lease;
        }
    }

    /// <summary>
    /// Accounts a session tensor that arrived with a migrated session (its bytes already exist; nothing is computed):
    /// on the device when it fits, reclaiming least recently used leases exactly as <see cref="Reserve"/> does;
    /// else directly in host memory (the <see cref="MemoryTier.Host"/> tier: promoted on its next use) when the host
    /// budget can hold it; else null, and the holder recomputes the tensor when it is next needed. Never throws for
    /// lack of room, so a migration never fails because the target is full.
    /// </summary>
    public MemoryLease? TryReserveMigrated(string owner, long bytes, IMemoryReclaimer reclaimer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentNullException.ThrowIfNull(reclaimer);
        lock (_lock)
        {
            MemoryTier tier;
            if (TryMakeRoomOnDevice(bytes, exclude: null, out _))
            {
                tier = MemoryTier.Device;
                DeviceBytesUsed += bytes;
            }
            else if (MakeRoomOnHost(bytes, exclude: null))
            {
                tier = MemoryTier.Host;
                HostBytesUsed += bytes;
            }
            else
            {
                return null;
            }

            var lease = new MemoryLease(this, owner, LeaseKind.SessionTensor, bytes, pinned: false, reclaimer) { LastUsed = ++_clock, Tier = tier };
            _leases.Add(lease);
            AssertWithinBudget();
            return lease;
        }
    }

    /// <summary>
    /// Brings a demoted (host-tier) lease back to the device, reclaiming others if needed. Returns false
    /// (and leaves it where it is) when the device cannot fit it; a dropped lease cannot be promoted.
    /// </summary>
    public bool TryPromote(MemoryLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_lock)
        {
            if (lease.IsReleased || lease.Tier == MemoryTier.Dropped)
            {
                return false;
            }

            if (lease.Tier == MemoryTier.Device)
            {
                lease.LastUsed = ++_clock;
                return true;
            }

            try
            {
                MakeRoomOnDevice(lease.Bytes, lease.Owner, exclude: lease);
            }
            catch (DeviceMemoryExhaustedException)
            {
                return false;
            }

            HostBytesUsed -= lease.Bytes;
            DeviceBytesUsed += lease.Bytes;
            lease.Tier = MemoryTier.Device;
            lease.LastUsed = ++_clock;
            AssertWithinBudget();
            return true;
        }
    }

    /// <summary>
    /// Gives up a lease now through its reclaimer's <see cref="IMemoryReclaimer.Drop"/> (an explicit unload),
    /// unless it is in use or pinned. Returns whether it was dropped; a dropped lease is released.
    /// </summary>
    public bool TryDrop(MemoryLease lease, bool evenIfPinned = false)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_lock)
        {
            if (lease.IsReleased || lease.InUse || (lease.Pinned && !evenIfPinned))
            {
                return false;
            }

            Drop(lease);
            lease.IsReleased = true;
            _leases.Remove(lease);
            return true;
        }
    }

    /// <summary>A snapshot of the leases for the stats API.</summary>
    public IReadOnlyList<LeaseInfo> Snapshot()
    {
        lock (_lock)
        {
            var result = new LeaseInfo[_leases.Count];
            for (var i = 0; i < result.Length; i++)
            {
                var l = _leases[i];
                result[i] = new LeaseInfo(l.Owner, l.Kind, l.Bytes, l.Tier, l.Pinned, l.InUse);
            }

            return result;
        }
    }

    internal MemoryTier BeginUse(MemoryLease lease)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(lease.IsReleased, lease);
            lease.LastUsed = ++_clock;
            lease.BeginUseLocked();
            return lease.Tier;
        }
    }

    internal void Release(MemoryLease lease)
    {
        lock (_lock)
        {
            if (lease.IsReleased)
            {
                return;
            }

            Unaccount(lease);
            lease.IsReleased = true;
            _leases.Remove(lease);
        }
    }

    private void MakeRoomOnDevice(long bytes, string owner, MemoryLease? exclude)
    {
        if (!TryMakeRoomOnDevice(bytes, exclude, out var why))
        {
            Exhausted(bytes, owner, why);
        }
    }

    private bool TryMakeRoomOnDevice(long bytes, MemoryLease? exclude, out string why)
    {
        if (bytes > _budget)
        {
            why = "larger than the whole device budget";
            return false;
        }

        while (DeviceBytesUsed + bytes > _budget)
        {
            var victim = PickVictim(exclude);
            if (victim is null)
            {
                why = "everything resident is pinned or in use";
                return false;
            }

            Reclaim(victim, exclude);
        }

        why = string.Empty;
        return true;
    }

    private void Reclaim(MemoryLease victim, MemoryLease? exclude)
    {
        Debug.Assert(victim.Tier == MemoryTier.Device && !victim.InUse && !victim.Pinned);
        if (victim.Kind == LeaseKind.SessionTensor && MakeRoomOnHost(victim.Bytes, exclude) && victim.Reclaimer.Demote(victim))
        {
            DeviceBytesUsed -= victim.Bytes;
            HostBytesUsed += victim.Bytes;
            victim.Tier = MemoryTier.Host;
            _demotions++;
            LogDemoted(_logger, victim.Owner, victim.Bytes);
            return;
        }

        Drop(victim);
        if (victim.Kind == LeaseKind.Model)
        {
            _evictions++;
            LogModelEvicted(_logger, victim.Owner, victim.Bytes);
        }
        else
        {
            _drops++;
            LogDropped(_logger, victim.Owner, victim.Bytes);
        }
    }

    private bool MakeRoomOnHost(long bytes, MemoryLease? exclude)
    {
        if (bytes > _hostBudget)
        {
            return false;
        }

        while (HostBytesUsed + bytes > _hostBudget)
        {
            MemoryLease? oldest = null;
            foreach (var lease in _leases)
            {
                if (lease != exclude && lease.Tier == MemoryTier.Host && !lease.InUse && !lease.Pinned && (oldest is null || lease.LastUsed < oldest.LastUsed))
                {
                    oldest = lease;
                }
            }

            if (oldest is null)
            {
                return false;
            }

            Drop(oldest);
            _drops++;
            LogDropped(_logger, oldest.Owner, oldest.Bytes);
        }

        return true;
    }

    /// <summary>The least recently used reclaimable device lease, preferring the kind the eviction order puts first.</summary>
    private MemoryLease? PickVictim(MemoryLease? exclude)
    {
        MemoryLease? preferred = null;
        MemoryLease? other = null;
        var preferredKind = _options.EvictionOrder == EvictionOrder.ModelsFirst ? LeaseKind.Model : LeaseKind.SessionTensor;
        foreach (var lease in _leases)
        {
            if (lease == exclude || lease.Tier != MemoryTier.Device || lease.Pinned || lease.InUse || lease.Bytes == 0)
            {
                continue;
            }

            if (_options.EvictionOrder == EvictionOrder.LeastRecentlyUsed || lease.Kind == preferredKind)
            {
                if (preferred is null || lease.LastUsed < preferred.LastUsed)
                {
                    preferred = lease;
                }
            }
            else if (other is null || lease.LastUsed < other.LastUsed)
            {
                other = lease;
            }
        }

        return preferred ?? other;
    }

    /// <summary>The holder frees the item; its bytes leave the accounts and the lease is marked dropped.</summary>
    private void Drop(MemoryLease lease)
    {
        lease.Reclaimer.Drop(lease);
        Unaccount(lease);
        lease.Tier = MemoryTier.Dropped;
    }

    private void Unaccount(MemoryLease lease)
    {
        switch (lease.Tier)
        {
            case MemoryTier.Device:
                DeviceBytesUsed -= lease.Bytes;
                break;
            case MemoryTier.Host:
                HostBytesUsed -= lease.Bytes;
                break;
        }
    }

    private void Exhausted(long bytes, string owner, string why)
    {
        _exhausted++;
        LogExhausted(_logger, owner, bytes, DeviceBytesUsed, _budget, why);
        throw new DeviceMemoryExhaustedException(
            $"Cannot fit {bytes:N0} bytes for '{owner}' in the device budget of {_budget:N0} bytes ({DeviceBytesUsed:N0} used): {why}.")
        {
            RequestedBytes = bytes,
        };
    }

    [Conditional("DEBUG")]
    private void AssertWithinBudget()
    {
        Debug.Assert(DeviceBytesUsed <= _budget, "device budget exceeded");
        Debug.Assert(HostBytesUsed <= _hostBudget, "host budget exceeded");
    }
}

/// <summary>One lease as seen by the stats API.</summary>
public readonly record struct LeaseInfo(string Owner, LeaseKind Kind, long Bytes, MemoryTier Tier, bool Pinned, bool InUse);

/// <summary>Cumulative reclaim counters.</summary>
public readonly record struct MemoryCounters(long Demotions, long Drops, long ModelEvictions, long Exhausted);
