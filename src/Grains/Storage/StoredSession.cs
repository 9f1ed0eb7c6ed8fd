namespace Atelier.Grains.Storage;

/// <summary>
/// The durable part of a session: enough to reactivate it on another silo after a crash (the embedding is
/// a cache and is recomputed). Versions are encoded images: the original upload as received, then each
/// applied edit as PNG.
/// </summary>
[GenerateSerializer, Alias("atelier.stored-session")]
public sealed record StoredSession
{
    [Id(0)]
    public required string Id { get; init; }

    [Id(1)]
    public string? Tenant { get; init; }

    [Id(2)]
    public required string Model { get; init; }

    [Id(3)]
    public required int Width { get; init; }

    [Id(4)]
    public required int Height { get; init; }

    [Id(5)]
    public required DateTimeOffset CreatedAt { get; init; }

    [Id(6)]
    public required int TtlSeconds { get; init; }

    /// <summary>Version number of <c>Versions[0]</c> (older versions were trimmed from the history).</summary>
    [Id(7)]
    public int FirstVersion { get; init; }

    /// <summary>Index into <see cref="Versions"/> of the current image.</summary>
    [Id(8)]
    public required int Current { get; init; }

    /// <summary>Encoded image versions, oldest first (raw bytes).</summary>
    [Id(9)]
    public required IReadOnlyList<byte[]> Versions { get; init; }

    /// <summary>
    /// Idempotency keys of the latest version-changing edits (bounded by <c>SessionOptions.MaxRememberedEdits</c>),
    /// saved with the version they produced so a retry after failover is answered, not applied again.
    /// </summary>
    [Id(10)]
    public IReadOnlyList<AppliedEdit> AppliedEdits { get; init; } = [];

    /// <summary>
    /// The store's revision of this record: what it was read at, or written as (0: never stored). A write succeeds only
    /// over the same revision (or over no record), so two activations of one session can never both persist an edit.
    /// </summary>
    [Id(11)]
    public long Revision { get; init; }
}

/// <summary>An edit applied under a client's idempotency key: the operation and the version number it produced.</summary>
[GenerateSerializer, Alias("atelier.applied-edit")]
public sealed record AppliedEdit(string Key, string Operation, int Version);
