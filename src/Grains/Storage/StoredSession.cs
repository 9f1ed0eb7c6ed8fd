namespace Atelier.Grains.Storage;

/// <summary>
/// The durable part of a session: enough to reactivate it on another silo after a crash (the embedding is
/// a cache and is recomputed). Versions are encoded images: the original upload as received, then each
/// applied edit as PNG.
/// </summary>
public sealed record StoredSession
{
    public required string Id { get; init; }

    public string? Tenant { get; init; }

    public required string Model { get; init; }

    public required int Width { get; init; }

    public required int Height { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required int TtlSeconds { get; init; }

    /// <summary>Version number of <c>Versions[0]</c> (older versions were trimmed from the history).</summary>
    public int FirstVersion { get; init; }

    /// <summary>Index into <see cref="Versions"/> of the current image.</summary>
    public required int Current { get; init; }

    /// <summary>Encoded image versions, oldest first (raw bytes).</summary>
    public required IReadOnlyList<byte[]> Versions { get; init; }

    /// <summary>
    /// Idempotency keys of the latest version-changing edits (bounded by <c>SessionOptions.MaxRememberedEdits</c>),
    /// saved with the version they produced so a retry after failover is answered, not applied again.
    /// </summary>
    public IReadOnlyList<AppliedEdit> AppliedEdits { get; init; } = [];
}

/// <summary>An edit applied under a client's idempotency key: the operation and the version number it produced.</summary>
public sealed record AppliedEdit(string Key, string Operation, int Version);
