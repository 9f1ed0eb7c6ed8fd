using System.Net;
using System.Net.Sockets;
using Atelier.Grains.Hosting;
using Atelier.Grains.Storage;
using Atelier.Silo.Cluster;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Serialization;
using StackExchange.Redis;
using OrleansClusterOptions = Orleans.Configuration.ClusterOptions;

namespace Atelier.Silo.Hosting;

/// <summary>
/// The Orleans silo co-hosted in this process (<c>UseOrleans</c>): HTTP and gRPC stay on Kestrel, silo-to-silo traffic
/// uses Orleans' own port. Embedded mode (<c>Silo:Mode=embedded</c>, the default): one silo with localhost clustering
/// and the in-memory session store, no Redis. Cluster mode (<c>Silo:Mode=redis</c>): Redis membership, the Redis session
/// store, the <c>Cluster:*</c> settings mapped onto Orleans' options. Both: the strongly consistent distributed grain
/// directory (exactly one activation per session), our placement director, activity propagation, the dashboard.
/// </summary>
internal static class OrleansHostExtensions
{
    public static WebApplicationBuilder AddAtelierOrleans(this WebApplicationBuilder builder, string siloName)
    {
        var section = builder.Configuration.GetSection(ClusterOptions.SectionName);
        var cluster = section.Get<ClusterOptions>() ?? new ClusterOptions();
        if (new ClusterOptionsValidator().Validate(null, cluster) is { Failed: true } invalid)
        {
            throw new OptionsValidationException(ClusterOptions.SectionName, typeof(ClusterOptions), invalid.Failures);
        }

        builder.Services.AddOptions<ClusterOptions>().Bind(section);
        var clusterMode = IsClusterMode(builder.Configuration);
        builder.UseOrleans(silo =>
        {
            silo.Configure<Orleans.Configuration.SiloOptions>(o => o.SiloName = siloName);
            silo.Configure<SiloMessagingOptions>(o =>
            {
                o.MaxMessageBodySize = cluster.MaxMessageBodyBytes;
                o.ResponseTimeout = cluster.ResponseTimeout;
            });
            // A grain's typed error may wrap the exception that caused it (a Redis connection failure, an image decoder
            // error) and crosses silos with it: without this, Orleans has no codec for the inner type and the caller gets
            // CodecNotFoundException (500) instead of the typed error. Orleans' default prefixes are Microsoft, System, Azure.
            silo.Services.Configure<ExceptionSerializationOptions>(o =>
            {
                o.SupportedNamespacePrefixes.Add("Atelier");
                o.SupportedNamespacePrefixes.Add("StackExchange.Redis");
            });
            silo.AddDistributedGrainDirectory();
            silo.AddActivityPropagation();
            silo.AddAtelierGrains(builder.Configuration);
            silo.AddIncomingGrainCallFilter<ExecutingSiloFilter>();
            silo.AddOutgoingGrainCallFilter<IngressRetryFilter>();
            silo.AddDashboard(o => o.HideTrace = true);
            if (clusterMode)
            {
                ConfigureRedisCluster(silo, cluster);
            }
            else
            {
                // Nothing else connects to an embedded silo: a free loopback port unless Cluster:SiloPort says otherwise.
                var port = section[nameof(ClusterOptions.SiloPort)] is null || cluster.SiloPort == 0 ? FreeLoopbackPort() : cluster.SiloPort;
                silo.UseLocalhostClustering(siloPort: port, gatewayPort: 0);
            }
        });
        return builder;
    }

    public static bool IsClusterMode(IConfiguration configuration) =>
        string.Equals(configuration[$"{SiloOptions.SectionName}:{nameof(SiloOptions.Mode)}"], "redis", StringComparison.Ordinal);

    private static void ConfigureRedisCluster(ISiloBuilder silo, ClusterOptions cluster)
    {
        var redis = ConfigurationOptions.Parse(cluster.Redis);
        redis.AbortOnConnectFail = false;
        redis.BacklogPolicy = BacklogPolicy.FailFast; // during an outage a store call fails at once (503 cluster_unavailable), not after a timeout

        // One connection for membership and the session store.
        var multiplexer = new Lazy<Task<IConnectionMultiplexer>>(async () => await ConnectionMultiplexer.ConnectAsync(redis).ConfigureAwait(false));
        silo.UseRedisClustering(o =>
        {
            o.ConfigurationOptions = redis;
            o.CreateMultiplexer = async _ => (await multiplexer.Value.ConfigureAwait(false), IsShared: true);
        });
        silo.Services.AddSingleton(_ => multiplexer.Value.GetAwaiter().GetResult());
        silo.Services.AddSingleton<ISessionStore, RedisSessionStore>();
        silo.Services.AddOptions<RedisSessionStoreOptions>().Configure(o =>
        {
            o.KeyPrefix = cluster.KeyPrefix;
            o.MaxVersions = cluster.SessionMaxVersions;
        });
        silo.Configure<OrleansClusterOptions>(o =>
        {
            o.ClusterId = cluster.ClusterId ?? cluster.KeyPrefix;
            o.ServiceId = cluster.ServiceId;
        });
        var bind = IPAddress.Parse(cluster.SiloBindAddress);
        silo.ConfigureEndpoints(Advertised(cluster.AdvertisedHost), cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: bind.Equals(IPAddress.Any));
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = cluster.ProbeTimeout;
            o.NumMissedProbesLimit = cluster.MissedProbesLimit;
            o.NumVotesForDeathDeclaration = cluster.DeathVotes;
            o.TableRefreshTimeout = cluster.TableRefreshPeriod;
            o.IAmAliveTablePublishTimeout = cluster.HeartbeatPeriod;
        });
        silo.Configure<GrainDirectoryOptions>(o => o.RangeLeaseDuration = cluster.EffectiveDirectoryLease);
    }

    /// <summary>The address other silos reach this one at: the configured host (resolved), else the first non-loopback IPv4 address.</summary>
    private static IPAddress Advertised(string? host)
    {
        if (!string.IsNullOrWhiteSpace(host))
        {
            return IPAddress.TryParse(host, out var ip) ? ip
                : Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
                  ?? throw new InvalidOperationException($"Cluster:AdvertisedHost '{host}' does not resolve to an IPv4 address.");
        }

        foreach (var address in Dns.GetHostAddresses(Dns.GetHostName()))
        {
            if (address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(address))
            {
                return address;
            }
        }

        return IPAddress.Loopback;
    }

    /// <summary>A loopback port nothing listens on now (embedded mode: no other silo ever connects to it).</summary>
    private static int FreeLoopbackPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
