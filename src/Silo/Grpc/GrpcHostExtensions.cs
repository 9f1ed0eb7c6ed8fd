using System.Net;
using Atelier.Silo.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Atelier.Silo.Grpc;

/// <summary>
/// The gRPC front end: services, and its own HTTP/2-only Kestrel endpoint (a cleartext HTTP/1.1+HTTP/2 endpoint does
/// not accept h2c). Coexists with both hosting modes: code-defined endpoints make Kestrel ignore the URL settings,
/// so the public URLs are bound in code too (cluster mode already does that; embedded mode does it here).
/// </summary>
internal static class GrpcHostExtensions
{
    public static WebApplicationBuilder AddAtelierGrpc(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<GrpcOptions>()
            .Bind(builder.Configuration.GetSection(GrpcOptions.SectionName))
            .Validate(o => o.Port is null or (>= 0 and <= 65535), "Grpc:Port must be in 0..65535 (0 disables gRPC).")
            .Validate(o => IPAddress.TryParse(o.BindAddress, out _), "Grpc:BindAddress must be an IP address.")
            .Validate(o => o.MaxReceiveMessageBytes > 0 && o.MaxSendMessageBytes > 0 && o.MaxStreamMessages > 0,
                "Grpc:MaxReceiveMessageBytes, Grpc:MaxSendMessageBytes and Grpc:MaxStreamMessages must be positive.")
            .Validate(o => o.ImageChunkBytes is >= 1024 and <= 4 << 20, "Grpc:ImageChunkBytes must be in 1 KiB..4 MiB.")
            .Validate(o => o.HealthWatchIntervalMs is >= 10 and <= 60_000, "Grpc:HealthWatchIntervalMs must be in 10..60000.")
            .ValidateOnStart();
        services.AddSingleton<GrpcCallTracker>();
        services.AddSingleton<GrpcServer>();
        services.AddSingleton<SessionsService>();
        services.AddSingleton<ModelsService>();
        services.AddSingleton<HealthService>();

        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var configuration = context.Configuration;
            var grpc = configuration.GetSection(GrpcOptions.SectionName).Get<GrpcOptions>() ?? new GrpcOptions();
            var endpointsConfigured = configuration.GetSection("Kestrel:Endpoints").Exists();
            var urls = configuration[WebHostDefaults.ServerUrlsKey];
            var port = grpc.ResolvePort(urls, endpointsConfigured);
            if (port == 0)
            {
                return;
            }

            if (!endpointsConfigured)
            {
                KestrelUrls.Listen(kestrel, string.IsNullOrEmpty(urls) ? SiloOptions.DefaultUrl : urls);
            }

            kestrel.Listen(IPAddress.Parse(grpc.BindAddress), port, l => l.Protocols = HttpProtocols.Http2);
        });
        return builder;
    }

    public static WebApplication MapAtelierGrpc(this WebApplication app)
    {
        app.MapGrpcEndpoints();
        return app;
    }
}
