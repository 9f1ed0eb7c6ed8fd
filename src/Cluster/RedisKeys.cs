using StackExchange.Redis;

namespace Atelier.Cluster;

/// <summary>The Redis key layout (see docs/cluster.md). Every key and channel starts with the configured prefix.</summary>
internal sealed class RedisKeys(string prefix)
{
    /// <summary>Set of silo addresses that have a membership row.</summary>
    public RedisKey Silos { get; } = prefix + ":silos";

    /// <summary>Membership table version: incremented by every status change.</summary>
    public RedisKey Version { get; } = prefix + ":silos:version";

    /// <summary>Table epoch: a random id written with the first row; a different epoch means Redis lost the table.</summary>
    public RedisKey Epoch { get; } = prefix + ":silos:epoch";

    /// <summary>Channel on which the new table version is published after a status change.</summary>
    public RedisChannel Changed { get; } = prefix + ":silos:changed";

    /// <summary>Prefix of membership rows (hash per silo: name, status, started, heartbeat, load).</summary>
    public string SiloRowPrefix { get; } = prefix + ":silo:";

    /// <summary>Prefix of directory entries (string per grain: <c>silo|activation</c>).</summary>
    public string EntryPrefix { get; } = prefix + ":dir:";

    /// <summary>Prefix of per-silo directory indexes (set of grain ids registered to the silo).</summary>
    public string SiloIndexPrefix { get; } = prefix + ":dir-silo:";

    public RedisKey SiloRow(string silo) => SiloRowPrefix + silo;

    /// <summary>Suspicions of one silo: hash suspecting silo → Redis-clock Unix ms of its latest suspicion.</summary>
    public RedisKey Suspicions(string silo) => prefix + ":suspects:" + silo;

    public RedisKey Entry(string grain) => EntryPrefix + grain;

    public RedisKey SiloIndex(string silo) => SiloIndexPrefix + silo;

    /// <summary>Session hash: <c>meta</c> (JSON) and <c>v0..vN</c> (raw encoded images).</summary>
    public RedisKey Session(string id) => prefix + ":session:" + id;
}
