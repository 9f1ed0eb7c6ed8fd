namespace Atelier.Cluster;

/// <summary>Cluster mode settings (configuration section <c>Cluster</c>), read when <c>Silo:Mode = redis</c>.</summary>
public sealed class ClusterOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Cluster";

    /// <summary>StackExchange.Redis configuration string (hosts, <c>password=</c>, <c>ssl=</c>). Default: <c>127.0.0.1:6379</c>. Never logged.</summary>
    public string Redis { get; set; } = "127.0.0.1:6379";

    /// <summary>Prefix of every Redis key and channel, so several clusters can share one Redis. Default: <c>atelier</c>.</summary>
    public string KeyPrefix { get; set; } = "atelier";

    /// <summary>Internal port of the silo-to-silo HTTP/2 (h2c) endpoint. Default: 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Address the internal endpoint listens on. Default: <c>0.0.0.0</c> (all IPv4 interfaces).</summary>
    public string SiloBindAddress { get; set; } = "0.0.0.0";

    /// <summary>Host name or IP other silos use to reach this one (with <see cref="SiloPort"/>). Default: null, the machine name.</summary>
    public string? AdvertisedHost { get; set; }

    /// <summary>Name written into this silo's membership row. Default: the machine name (the host sets it from <c>Silo:Name</c>).</summary>
    public string SiloName { get; set; } = Environment.MachineName;

    /// <summary>Period of this silo's heartbeat into its membership row. Default: 1 second.</summary>
    public TimeSpan HeartbeatPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Heartbeat periods without a heartbeat after which another silo declares a silo dead. Default: 5 (periods).</summary>
    public int MissedHeartbeatsLimit { get; set; } = 5;

    /// <summary>Period of the direct probes (HTTP/2 ping of the internal port) this silo sends to the silos it watches. Default: 1 second.</summary>
    public TimeSpan ProbePeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one probe waits for its answer before it counts as missed. Default: 2 seconds.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How many other silos each silo probes (the next ones after it in address order). Default: 3 silos.</summary>
    public int ProbedSilos { get; set; } = 3;

    /// <summary>Consecutive missed probes after which this silo writes a suspicion of the silo. Default: 3 probes.</summary>
    public int MissedProbesLimit { get; set; } = 3;

    /// <summary>Distinct silos whose unexpired suspicions declare a silo dead. Default: 2 silos (in a cluster too small
    /// for that quorum, the stale heartbeat limit still declares it).</summary>
    public int SuspicionQuorum { get; set; } = 2;

    /// <summary>How long a suspicion counts toward the quorum. Default: 2 minutes.</summary>
    public TimeSpan SuspicionExpiry { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Period of the full re-read of the membership table (changes also arrive through pub/sub). Default: 1 second.</summary>
    public TimeSpan TableRefreshPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the row of a dead silo stays in Redis (so late callers still read "dead"). Default: 1 hour.</summary>
    public TimeSpan DeadRowRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Deadline of one silo-to-silo HTTP/2 exchange, above the runtime's own response timeout. Default: 60 seconds.</summary>
    public TimeSpan TransportTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Largest frame the internal endpoint accepts, in bytes. Default: 256 MiB.</summary>
    public long MaxFrameBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// How long a directory lookup that misses waits while the directory is being rebuilt (Redis restarted empty and
    /// some live silo has not registered its activations again yet) before it answers 503 cluster_unavailable.
    /// Default: 10 seconds.
    /// </summary>
    public TimeSpan DirectoryRecoveryTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Image versions kept per session in the Redis store (oldest trimmed first). Default: 16 versions.</summary>
    public int SessionMaxVersions { get; set; } = 16;

    /// <summary>Throws <see cref="ArgumentException"/> when a value is out of range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Redis)) throw new ArgumentException("Cluster:Redis must not be empty.");
        if (string.IsNullOrWhiteSpace(KeyPrefix)) throw new ArgumentException("Cluster:KeyPrefix must not be empty.");
        if (SiloPort is < 1 or > 65535) throw new ArgumentException("Cluster:SiloPort must be in 1..65535.");
        if (!System.Net.IPAddress.TryParse(SiloBindAddress, out _)) throw new ArgumentException("Cluster:SiloBindAddress must be an IP address.");
        if (HeartbeatPeriod <= TimeSpan.Zero) throw new ArgumentException("Cluster:HeartbeatPeriod must be positive.");
        if (MissedHeartbeatsLimit < 2) throw new ArgumentException("Cluster:MissedHeartbeatsLimit must be at least 2.");
        if (ProbePeriod <= TimeSpan.Zero || ProbeTimeout <= TimeSpan.Zero) throw new ArgumentException("Cluster:ProbePeriod and Cluster:ProbeTimeout must be positive.");
        if (ProbedSilos < 1 || MissedProbesLimit < 1 || SuspicionQuorum < 1) throw new ArgumentException("Cluster:ProbedSilos, MissedProbesLimit and SuspicionQuorum must be at least 1.");
        if (SuspicionExpiry < TimeSpan.FromSeconds(1)) throw new ArgumentException("Cluster:SuspicionExpiry must be at least 1 second.");
        if (TableRefreshPeriod <= TimeSpan.Zero) throw new ArgumentException("Cluster:TableRefreshPeriod must be positive.");
        if (DeadRowRetention < TimeSpan.FromSeconds(1)) throw new ArgumentException("Cluster:DeadRowRetention must be at least 1 second.");
        if (TransportTimeout <= TimeSpan.Zero) throw new ArgumentException("Cluster:TransportTimeout must be positive.");
        if (MaxFrameBytes < 1024) throw new ArgumentException("Cluster:MaxFrameBytes must be at least 1024.");
        if (SessionMaxVersions < 1) throw new ArgumentException("Cluster:SessionMaxVersions must be at least 1.");
        if (DirectoryRecoveryTimeout < TimeSpan.Zero) throw new ArgumentException("Cluster:DirectoryRecoveryTimeout must not be negative.");
    }
}
