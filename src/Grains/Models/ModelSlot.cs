using Atelier.Grains.Memory;
using Atelier.Models.Adapters;

namespace Atelier.Grains.Models;

/// <summary>
/// One model on this silo: the loaded adapter (if any), its memory lease, the load in progress (shared
/// by every concurrent caller, so a model is never loaded twice at once), and its counters.
/// Fields are guarded by the slot's lock, except that the memory manager may drop the model (through
/// <see cref="IMemoryReclaimer.Drop"/>) while no one uses it.
/// </summary>
internal sealed class ModelSlot(string id) : IMemoryReclaimer
{
    public string Id { get; } = id;

    public Lock Gate { get; } = new();

    public LoadedModel? Model { get; set; }

    public MemoryLease? Lease { get; set; }

    public Task? Loading { get; set; }

    /// <summary>Runs waiting for the device for this model.</summary>
    public int Queued;

    public long Loads;
    public long LoadTicks;
    public long Hits;
    public long Misses;
    public long Evictions;
    public long Runs;
    public long RunTicks;

    /// <summary>Requests that ran in batches of more than one (see <see cref="ModelHost.RunBatchedAsync"/>).</summary>
    public long BatchedRequests;
    public long LastUsedUnixMs;
    public bool Pinned;

    /// <summary>Runs per operation (e.g. <c>encode</c>, <c>decode</c>), for stats and tests.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, long> RunsByOperation { get; } = new(StringComparer.Ordinal);

    /// <summary>The dynamic batchers of this model's batchable operations, by operation and batch size.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, object> Batchers { get; } = new(StringComparer.Ordinal);

    public bool Demote(MemoryLease lease) => false; // models are unloaded, never demoted

    /// <summary>Called by the memory manager (under its lock) when the model is evicted; it is not in use.</summary>
    public void Drop(MemoryLease lease)
    {
        var model = Model;
        Model = null;
        Interlocked.Increment(ref Evictions);
        model?.Dispose();
    }
}
