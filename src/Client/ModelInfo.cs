namespace Atelier.Client;

/// <summary>A registered model and its residency per silo.</summary>
public sealed record ModelInfo(
    string Id,
    string Kind,
    string? Version,
    string? Tenant,
    string? Description,
    bool Demo,
    long SizeBytes,
    bool Pinned,
    IReadOnlyList<ModelResidencyInfo> Residency);

/// <summary>A model's state on one silo: <c>loaded</c>, <c>loading</c> or <c>on-disk</c>.</summary>
public sealed record ModelResidencyInfo(string Silo, string State, DateTimeOffset? LastUsed, long Loads, long Hits, long Misses, long Evictions, long ResidentBytes);

/// <summary>Answer of unload.</summary>
public sealed record UnloadResult(string Model, string Silo, bool Unloaded);
