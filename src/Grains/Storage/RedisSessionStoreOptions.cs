namespace Atelier.Grains.Storage;

/// <summary>The Redis session store (cluster mode). Bound from the <c>Cluster</c> section.</summary>
public sealed class RedisSessionStoreOptions
{
    /// <summary>Prefix of every session key (<c>{prefix}:session:{id}</c>), so several clusters can share one Redis. Default: <c>atelier</c>.</summary>
    public string KeyPrefix { get; set; } = "atelier";

    /// <summary>Image versions kept per session in the store (oldest trimmed first; the current one is always kept). Default: 16.</summary>
    public int MaxVersions { get; set; } = 16;
}
