using System.Net;
using Atelier.Silo.Endpoints;
using Atelier.Silo.Errors;
using Atelier.Silo.Health;
using Atelier.Silo.Hosting;
using Grpc.AspNetCore.HealthChecks;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Atelier.Silo.Grpc;

/// <summary>
/// The gRPC front end on Grpc.AspNetCore, in one place: <see cref="AddAtelierGrpc"/> sets up the server (limits,
/// compression, interceptors, health, reflection) and its own HTTP/2-only Kestrel endpoint (a cleartext
/// HTTP/1.1+HTTP/2 endpoint does not accept h2c); <see cref="MapAtelierGrpc"/> maps the services. Another gRPC
/// service of the silo is one more <c>MapGrpcService&lt;T&gt;()</c> line in <see cref="MapAtelierGrpc"/>: it gets the
/// same port, limits and interceptors (API key, tenant, rate limit, error mapping). Code-defined endpoints make
/// Kestrel ignore the URL settings, so the public URLs are bound in code too (cluster mode already does that;
/// embedded mode does it here). With TLS (<c>Kestrel:Endpoints</c> with a certificate) every HTTPS endpoint serves
/// gRPC and HTTP on one port through ALPN.
/// </summary>
internal static class GrpcHostExtensions
{
    /// <summary>The health service names besides <c>""</c> (readiness, as <c>/readyz</c>) and the Atelier services.</summary>
    public const string LivenessService = "liveness";

    public const string ReadinessService = "readiness";

    /// <summary>Tag (and name) of the always-passing check behind the <c>liveness</c> health service (not run by <c>/readyz</c>).</summary>
    private const string LiveTag = "live";

    public static WebApplicationBuilder AddAtelierGrpc(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<GrpcOptions>()
            .Bind(builder.Configuration.GetSection(GrpcOptions.SectionName))
            .Validate(o => o.Port is null or (>= 0 and <= 65535), "Grpc:Port must be in 0..65535 (0 disables gRPC).")
            .Validate(o => IPAddress.TryParse(o.BindAddress, out _), "Grpc:BindAddress must be an IP address.")
            .Validate(o => o.MaxReceiveMessageBytes is null or > 0 && o.MaxSendMessageBytes > 0 && o.MaxStreamMessages > 0,
                "Grpc:MaxReceiveMessageBytes, Grpc:MaxSendMessageBytes and Grpc:MaxStreamMessages must be positive.")
            .Validate(o => o.ImageChunkBytes is >= 1024 and <= 4 << 20, "Grpc:ImageChunkBytes must be in 1 KiB..4 MiB.")
            .Validate(o => o.HealthWatchIntervalMs is >= 1000 and <= 60_000, "Grpc:HealthWatchIntervalMs must be in 1000..60000.")
            .ValidateOnStart();
        services.AddSingleton<GrpcCallTracker>();
        services.AddSingleton<GrpcCallInterceptor>();
        services.AddSingleton<ApiKeyInterceptor>();
        services.AddSingleton<SessionsService>();
        services.AddSingleton<ModelsService>();

        services.AddGrpc(grpc =>
        {
            // No catch-all route for unknown services: a two-segment POST such as /v1/sessions with a non-image body
            // must keep its 415 from the HTTP API. An unknown service is a 404, which gRPC clients read as UNIMPLEMENTED.
            grpc.IgnoreUnknownServices = true;
            // Outermost first: errors and deadlines, then keys, tenants and the rate limit.
            grpc.Interceptors.Add<GrpcCallInterceptor>();
            grpc.Interceptors.Add<ApiKeyInterceptor>();
        });
        services.AddOptions<GrpcServiceOptions>().Configure<IOptions<GrpcOptions>, IOptions<ApiOptions>>((grpc, options, api) =>
        {
            grpc.MaxReceiveMessageSize = options.Value.EffectiveMaxReceiveMessageBytes(api.Value.MaxUploadBytes);
            grpc.MaxSendMessageSize = options.Value.MaxSendMessageBytes;
            // gzip (and deflate) requests are accepted by default; responses are compressed per call (GrpcCallInterceptor).
        });

        // grpc.health.v1.Health on the checks behind /readyz ("" and each service) and /healthz ("liveness": the process
        // answers; gRPC health reports UNKNOWN for a service with no checks, so liveness has one that always passes).
        services.AddGrpcHealthChecks(health =>
        {
            health.Services.Map("", IsReadinessCheck);
            health.Services.Map(ReadinessService, IsReadinessCheck);
            health.Services.Map(LivenessService, check => check.Tags.Contains(LiveTag));
            health.Services.Map(SessionsService.ServiceName, IsReadinessCheck);
            health.Services.Map(ModelsService.ServiceName, IsReadinessCheck);
        }).AddCheck(LiveTag, () => HealthCheckResult.Healthy("the silo process answers"), tags: [LiveTag]);
        services.AddOptions<HealthCheckPublisherOptions>().Configure<IOptions<GrpcOptions>>((publisher, options) =>
        {
            // Watch streams are fed by the health check publisher: re-run the checks at the configured interval.
            publisher.Period = TimeSpan.FromMilliseconds(options.Value.HealthWatchIntervalMs);
            publisher.Delay = publisher.Period;
        });
        services.AddGrpcReflection();

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
        // gRPC needs HTTP/2: a gRPC request over HTTP/1.1 (the public URL) gets the API's problem document, 426.
        app.Use((context, next) =>
            context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>() is not null && !HttpProtocol.IsHttp2(context.Request.Protocol)
                && !HttpProtocol.IsHttp3(context.Request.Protocol)
                ? Problems.WriteAsync(context, StatusCodes.Status426UpgradeRequired, ErrorCodes.InvalidRequest, "HTTP/2 required",
                    "gRPC needs HTTP/2: connect to the gRPC port with prior knowledge (h2c), or over TLS.")
                : next(context));

        // The silo's gRPC services: add another one here.
        app.MapGrpcService<SessionsService>();
        app.MapGrpcService<ModelsService>();
        app.MapGrpcService<KServe.Grpc.KServeInferenceService>(); // the KServe v2 protocol (docs/kserve.md)
        app.MapGrpcHealthChecksService();
        if (app.Services.GetRequiredService<IOptions<GrpcOptions>>().Value.Reflection)
        {
            app.MapGrpcReflectionService();
        }

        return app;
    }

    private static bool IsReadinessCheck(HealthCheckMapContext check) => check.Tags.Contains(HealthEndpoints.ReadyTag);
}
