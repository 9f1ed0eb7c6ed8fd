using Orleans.Concurrency;

namespace Atelier.Grains;

/// <summary>Where a model is on one silo.</summary>
[GenerateSerializer, Alias("atelier.model-state")]
public enum ModelState
{
    Loaded,
    Loading,
    OnDisk,
}

/// <summary>A model's state and counters on one silo.</summary>
/// <param name="Hits">Acquisitions that found the model loaded.</param>
/// <param name="Misses">Acquisitions that had to load it.</param>
[GenerateSerializer, Immutable, Alias("atelier.model-residency")]
public sealed record ModelResidency(
    string ModelId,
    string Silo,
    ModelState State,
    bool Pinned,
    DateTimeOffset? LastUsed,
    long Loads,
    double LoadMsTotal,
    long Hits,
    long Misses,
    long Evictions,
    long ResidentBytes,
    long Runs,
    double RunMsTotal)
{
    /// <summary>Runs per operation on this silo (e.g. <c>encode</c>, <c>decode</c>); empty when never run.</summary>
    [Id(13)]
    public IReadOnlyDictionary<string, long> RunsByOperation { get; init; } = new Dictionary<string, long>();
}

/// <summary>One silo's load figures.</summary>
[GenerateSerializer, Immutable, Alias("atelier.silo-stats")]
public sealed record SiloStats(
    string Silo,
    int Sessions,
    long DeviceBytesUsed,
    long DeviceBytesBudget,
    long HostBytesUsed,
    long HostBytesBudget,
    IReadOnlyList<string> ResidentModels,
    int QueueLength)
{
    /// <summary>When the silo started serving (its model host service started).</summary>
    [Id(8)]
    public DateTimeOffset? StartedAt { get; init; }
}
