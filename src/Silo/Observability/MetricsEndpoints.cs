namespace Atelier.Silo.Observability;

/// <summary>
/// <c>GET /metrics</c>: the Prometheus scrape endpoint. Like <c>/healthz</c> it is an operations route outside
/// <c>/v1</c>, so it needs no API key: it carries counts, latencies and model ids, never tenants, session ids,
/// images or keys. Expose the silo's public port only where scrapers may read it, or turn it off with
/// <c>Observability:MetricsEnabled=false</c>.
/// </summary>
internal static class MetricsEndpoints
{
    public const string Path = "/metrics";

    public static IEndpointRouteBuilder MapMetricsEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Path, static (PrometheusCollector collector) => TypedResults.Text(collector.Scrape(), PrometheusTextWriter.ContentType))
            .WithName("Metrics")
            .WithTags("Operations")
            .WithSummary("Prometheus metrics of this silo (text exposition format 0.0.4).")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
        return endpoints;
    }
}
