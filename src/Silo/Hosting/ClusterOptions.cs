namespace Atelier.Silo.Hosting;

/// <summary>
/// The Orleans cluster of this silo. Configuration section <c>Cluster</c>; each setting maps onto an Orleans option
/// (named in its doc). In embedded mode (<c>Silo:Mode=embedded</c>) only <see cref="SiloPort"/> is read.
/// </summary>
public sealed class ClusterOptions
{
    public const string SectionName = "Cluster";

    /// <summary>StackExchange.Redis configuration string (hosts, <c>password=</c>, <c>ssl=</c>) for membership and the session
    /// store. Default: <c>127.0.0.1:6379</c>. Never logged.</summary>
    public string Redis { get; set; } = "127.0.0.1:6379";

    /// <summary>Orleans <c>ClusterOptions.ClusterId</c>: silos with the same id form one cluster. Default: <see cref="KeyPrefix"/>.</summary>
    public string? ClusterId { get; set; }

    /// <summary>Orleans <c>ClusterOptions.ServiceId</c> (stable across deployments; part of the membership key). Default: <c>atelier</c>.</summary>
    public string ServiceId { get; set; } = "atelier";

    /// <summary>Prefix of the session store's Redis keys (<c>{prefix}:session:{id}</c>), and the cluster id unless
    /// <see cref="ClusterId"/> is set, so several clusters can share one Redis. Default: <c>atelier</c>.</summary>
    public string KeyPrefix { get; set; } = "atelier";

    /// <summary>Orleans silo-to-silo port (<c>EndpointOptions.SiloPort</c>). Default: 11111; embedded mode: 0 = a free loopback port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Orleans gateway port for external Orleans clients (<c>EndpointOptions.GatewayPort</c>), e.g. 30000; 0 = no
    /// gateway. Atelier's own clients use HTTP and gRPC, so the default is 0.</summary>
    public int GatewayPort { get; set; }

    /// <summary>Address the Orleans ports listen on (<c>EndpointOptions.SiloListeningEndpoint</c>). Default: <c>0.0.0.0</c>.</summary>
    public string SiloBindAddress { get; set; } = "0.0.0.0";

    /// <summary>Host name or IP other silos use to reach this one (<c>EndpointOptions.AdvertisedIPAddress</c>; a name is resolved
    /// at start). Default: the first non-loopback IPv4 address of this machine.</summary>
    public string? AdvertisedHost { get; set; }

    /// <summary>Orleans <c>ClusterMembershipOptions.ProbeTimeout</c>: how long a probe may take before it counts as missed.
    /// Default: 2 seconds (Orleans' 5 s took 17.4 s to recover from a killed silo here; 2 s took 5.7 s).</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Orleans <c>ClusterMembershipOptions.NumMissedProbesLimit</c>: missed probes before a silo votes another dead. Default: 3.</summary>
    public int MissedProbesLimit { get; set; } = 3;

    /// <summary>Orleans <c>ClusterMembershipOptions.NumVotesForDeathDeclaration</c>. Default: 2.</summary>
    public int DeathVotes { get; set; } = 2;

    /// <summary>
    /// Orleans <c>GrainDirectoryOptions.RangeLeaseDuration</c>: after a silo is declared dead, its sessions cannot be
    /// re-registered (re-activated elsewhere) until this long after its estimated failure, i.e. for this minus the
    /// failure-detection window (4 × <see cref="ProbeTimeout"/> × <see cref="MissedProbesLimit"/>, 24 s with the defaults)
    /// after the declaration. The hold is the distributed directory's guard against a silo declared dead that is still
    /// running (paused, partitioned) and serving its old activations. Default: the failure-detection window itself, so no
    /// hold: a session's second copy on such a silo cannot persist an edit (the session store refuses a write over a
    /// revision another owner replaced: <c>SessionMovedException</c>), so the hold is not what keeps edits from forking.
    /// With Orleans' own default (30 s: a 6 s hold) kill -9 → first answer from a survivor measured 9.1–9.6 s p50 here,
    /// without a hold 2.9–4.4 s (docs/benchmarks.md).
    /// </summary>
    public TimeSpan? DirectoryLease { get; set; }

    /// <summary>The lease in force: <see cref="DirectoryLease"/>, or the failure-detection window when unset.</summary>
    internal TimeSpan EffectiveDirectoryLease => DirectoryLease ?? ProbeTimeout * (4 * MissedProbesLimit);

    /// <summary>Orleans <c>ClusterMembershipOptions.TableRefreshTimeout</c>: how often each silo re-reads the membership table. Default: 10 seconds.</summary>
    public TimeSpan TableRefreshPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Orleans <c>ClusterMembershipOptions.IAmAliveTablePublishTimeout</c>: how often a silo writes its heartbeat row. Default: 10 seconds.</summary>
    public TimeSpan HeartbeatPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Orleans <c>MessagingOptions.MaxMessageBodySize</c> on every silo: a drained session travels in one migration
    /// message with its image versions and embedding. Default: 256 MiB.</summary>
    public int MaxMessageBodyBytes { get; set; } = 256 * 1024 * 1024;

    /// <summary>Orleans <c>MessagingOptions.ResponseTimeout</c>: a grain call that gets no answer in this time fails (503 overloaded).
    /// Default: 60 seconds (an erase on a busy CPU silo can take tens of seconds).</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the ingress silo keeps retrying an idempotent call, or an edit with an idempotency key, whose owner
    /// silo died or cannot be reached (until the cluster declares it dead and the session re-activates elsewhere). Default: 30 seconds.</summary>
    public TimeSpan RetryBudget { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Image versions kept per session in the Redis store (oldest trimmed first). Default: 16 versions.</summary>
    public int SessionMaxVersions { get; set; } = 16;
}
