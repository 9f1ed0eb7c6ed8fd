namespace Atelier.Silo.Endpoints;

/// <summary>Answer of <c>GET /v1/cluster</c>.</summary>
internal sealed record ClusterResponse(IReadOnlyList<SiloResponse> Silos);

/// <summary>One silo's status and load.</summary>
internal sealed record SiloResponse(
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
