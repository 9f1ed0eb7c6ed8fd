namespace Atelier.Client;

/// <summary>The cluster as one silo sees it.</summary>
public sealed record ClusterInfo(IReadOnlyList<SiloInfo> Silos);

/// <summary>One silo's status and load.</summary>
public sealed record SiloInfo(
    string Name,
    string Address,
    string Status,
    DateTimeOffset? StartedAt,
    DateTimeOffset? LastHeartbeat,
    int Sessions,
    long DeviceBytesUsed,
    long DeviceBytesBudget,
    long HostBytesUsed,
    IReadOnlyList<string> ResidentModels,
    int QueueLength);
