using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using OrleansClusterOptions = Orleans.Configuration.ClusterOptions;

namespace Atelier.Silo.Health;

/// <summary>
/// Ready while this silo is Active in Orleans' membership. In cluster mode also checks that the Redis membership table
/// still exists: Orleans' Redis membership cannot continue after Redis restarted empty ("the membership table version
/// is missing"), so this silo reports not-ready, naming the recovery (restart every silo of the cluster; sessions come
/// back from the store, or from nothing if the store was emptied too). A Redis that is merely unreachable does not fail
/// readiness: the silos keep serving their sessions and the cluster carries on when Redis is back.
/// </summary>
internal sealed class MembershipReadinessCheck(
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    IOptions<OrleansClusterOptions> cluster,
    IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(localSilo.SiloAddress);
        if (status != SiloStatus.Active)
        {
            return HealthCheckResult.Unhealthy($"This silo is {status} in the cluster membership.");
        }

        if (services.GetService<IConnectionMultiplexer>() is not { } redis)
        {
            return HealthCheckResult.Healthy(); // embedded mode: localhost clustering
        }

        try
        {
            var key = $"{cluster.Value.ServiceId}/members/{cluster.Value.ClusterId}";
            var version = await redis.GetDatabase().HashExistsAsync(key, "Version").WaitAsync(cancellationToken).ConfigureAwait(false);
            return version
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy(
                    $"Redis has lost the membership table '{key}' (restarted without its data?). Orleans cannot continue on it: "
                    + "restart every silo of the cluster (see docs/cluster.md, 'Redis restarted empty').");
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return HealthCheckResult.Healthy($"Redis is unreachable ({e.GetType().Name}); serving the sessions this cluster holds.");
        }
    }
}
