using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Atelier.Silo.Health;

/// <summary><c>GET /healthz</c> (liveness) and <c>GET /readyz</c> (readiness).</summary>
internal static class HealthEndpoints
{
    /// <summary>Health checks with this tag gate readiness; liveness runs no checks.</summary>
    public const string ReadyTag = "ready";

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false })
            .WithName("Liveness")
            .WithTags("Operations");
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag) })
            .WithName("Readiness")
            .WithTags("Operations");
        return endpoints;
    }
}
