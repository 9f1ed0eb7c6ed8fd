namespace Atelier.Grains;

/// <summary>Where a model is on one silo.</summary>
public enum ModelState
{
    Loaded,
    Loading,
    OnDisk,
}

/// <summary>A model's state and counters on one silo.</summary>
/// <param name="Hits">Acquisitions that found the model loaded.</param>
/// <param name="Misses">Acquisitions that had to load it.</param>
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
    public IReadOnlyDictionary<string, long> RunsByOperation { get; init; } = new Dictionary<string, long>();
}

/// <summary>One silo's load figures.</summary>
public sealed record SiloStats(
    string Silo,
    int Sessions,
    long DeviceBytesUsed,
    long DeviceBytesBudget,
    long HostBytesUsed,
    long HostBytesBudget,
    IReadOnlyList<string> ResidentModels,
    int QueueLength);
