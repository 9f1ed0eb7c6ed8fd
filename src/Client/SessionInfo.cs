namespace Atelier.Client;

/// <summary>A session as the server describes it.</summary>
public sealed record SessionInfo(
    string Id,
    int Width,
    int Height,
    string Model,
    int Version,
    bool CanUndo,
    bool CanRedo,
    string? Embedding,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    int TtlSeconds,
    string Silo);
