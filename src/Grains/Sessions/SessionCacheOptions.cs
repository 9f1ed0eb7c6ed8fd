namespace Atelier.Grains.Sessions;

/// <summary>How sessions cache tensors on the device. Configuration section <c>Sessions:Cache</c>.</summary>
public sealed class SessionCacheOptions
{
    public const string SectionName = "Sessions:Cache";

    /// <summary>Precision of cached embeddings. Default: <see cref="EmbeddingPrecision.Float32"/>; Float16 halves session memory.</summary>
    public EmbeddingPrecision EmbeddingPrecision { get; set; } = EmbeddingPrecision.Float32;

    /// <summary>
    /// Keep the current image version decoded (RGB8, 3 bytes per pixel: 6.5 MB for 1800×1200) between calls. Default:
    /// <see langword="false"/>: a session keeps what clicks need (the embedding, the low-res logits, the selection)
    /// and its encoded versions; an edit or a download decodes the current version again (tens of milliseconds for a
    /// large JPEG, next to a LaMa or Stable Diffusion run), which lets a silo hold about twice the sessions with fp16
    /// embeddings.
    /// </summary>
    public bool KeepDecodedImage { get; set; }

    /// <summary>How often an idle session checks its TTL. Default: 5 seconds.</summary>
    public TimeSpan TtlCheckPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often a session whose write to the session store failed because the store was unreachable (Redis outage)
    /// tries the write again; the session keeps serving from memory meanwhile. Default: 1 second.
    /// </summary>
    public TimeSpan StoreRetryPeriod { get; set; } = TimeSpan.FromSeconds(1);
}
