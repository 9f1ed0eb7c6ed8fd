using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Atelier.Silo.Health;

/// <summary>Ready once the host has started and until it begins stopping (so a draining silo leaves load balancers).</summary>
internal sealed class LifetimeReadinessCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The silo is shutting down."));
        }

        return Task.FromResult(lifetime.ApplicationStarted.IsCancellationRequested
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The silo is starting."));
    }
}
