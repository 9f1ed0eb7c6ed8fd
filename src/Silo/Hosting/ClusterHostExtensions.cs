using System.Globalization;
using System.Net;
using Atelier.Cluster;
using Atelier.Runtime;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Atelier.Silo.Hosting;

/// <summary>
/// Cluster mode (<c>Silo:Mode = redis</c>): Redis membership, directory and session store, and the HTTP/2
/// silo-to-silo transport, registered before the runtime so they replace its in-memory defaults.
/// Embedded mode registers nothing here.
/// </summary>
internal static class ClusterHostExtensions
{
    public static WebApplicationBuilder AddAtelierCluster(this WebApplicationBuilder builder)
    {
        if (!IsClusterMode(builder.Configuration))
        {
            return builder;
        }

        var section = builder.Configuration.GetSection(ClusterOptions.SectionName);
        var settings = section.Get<ClusterOptions>() ?? new ClusterOptions();
        settings.Validate();
        var siloName = builder.Configuration[$"{SiloOptions.SectionName}:{nameof(SiloOptions.Name)}"] is { Length: > 0 } name
            ? name
            : new SiloOptions().Name;
        builder.Services.AddAtelierRedisCluster(o =>
        {
            section.Bind(o);
            o.SiloName = siloName;
        });

        // Other silos reach this one at AdvertisedHost:SiloPort; that endpoint (with the generation) is its address.
        var advertised = string.Create(CultureInfo.InvariantCulture, $"{settings.AdvertisedHost ?? Environment.MachineName}:{settings.SiloPort}");
        builder.Services.PostConfigure<SiloRuntimeOptions>(o => o.Endpoint = advertised);
        builder.Services.AddHostedService<SiloEvictionService>();

        // Code-defined endpoints make Kestrel ignore the URL settings, so the public URLs are bound here too; the
        // internal endpoint speaks HTTP/2 only (an Http1AndHttp2 cleartext endpoint does not accept h2c).
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            if (!context.Configuration.GetSection("Kestrel:Endpoints").Exists())
            {
                ListenOnUrls(kestrel, context.Configuration[WebHostDefaults.ServerUrlsKey] ?? SiloOptions.DefaultUrl);
            }

            kestrel.Listen(IPAddress.Parse(settings.SiloBindAddress), settings.SiloPort, l => l.Protocols = HttpProtocols.Http2);
        });
        return builder;
    }

    public static WebApplication MapAtelierCluster(this WebApplication app)
    {
        if (IsClusterMode(app.Configuration))
        {
            app.MapAtelierSiloTransport();
        }

        return app;
    }

    private static bool IsClusterMode(IConfiguration configuration) =>
        string.Equals(configuration[$"{SiloOptions.SectionName}:{nameof(SiloOptions.Mode)}"], "redis", StringComparison.Ordinal);

    internal static void ListenOnUrls(KestrelServerOptions kestrel, string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var address = BindingAddress.Parse(url);
            if (!string.Equals(address.Scheme, "http", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"Cluster mode binds public URLs itself and supports http only ('{url}'); configure Kestrel:Endpoints for https.");
            }

            if (string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                kestrel.ListenLocalhost(address.Port);
            }
            else if (IPAddress.TryParse(address.Host, out var ip))
            {
                kestrel.Listen(ip, address.Port);
            }
            else
            {
                kestrel.ListenAnyIP(address.Port);
            }
        }
    }
}
