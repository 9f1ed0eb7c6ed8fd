namespace Atelier.Grains.Sessions;

/// <summary>How sessions cache tensors on the device. Configuration section <c>Sessions:Cache</c>.</summary>
public sealed class SessionCacheOptions
{
    public const string SectionName = "Sessions:Cache";

    /// <summary>Precision of cached embeddings. Default: <see cref="EmbeddingPrecision.Float32"/>; Float16 halves session memory.</summary>
    public EmbeddingPrecision EmbeddingPrecision { get; set; } = EmbeddingPrecision.Float32;

    /// <summary>How often an idle session checks its TTL. Default: 5 seconds.</summary>
    public TimeSpan TtlCheckPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often a session whose write to the session store failed because the store was unreachable (Redis outage)
    /// tries the write again; the session keeps serving from memory meanwhile. Default: 1 second.
    /// </summary>
    public TimeSpan StoreRetryPeriod { get; set; } = TimeSpan.FromSeconds(1);
}
