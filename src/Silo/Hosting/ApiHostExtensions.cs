namespace Atelier.Silo.Hosting;

/// <summary>The public API surface of the silo: endpoints, security, OpenAPI. Called from <see cref="SiloHostExtensions"/>.</summary>
internal static class ApiHostExtensions
{
    public static WebApplicationBuilder AddAtelierApi(this WebApplicationBuilder builder) => builder;

    public static WebApplication MapAtelierApi(this WebApplication app) => app;
}
