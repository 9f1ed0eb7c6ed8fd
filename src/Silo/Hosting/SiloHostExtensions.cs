using Atelier.Grains.Hosting;
using Atelier.Models.Adapters;
using Atelier.Models.Onnx;
using Atelier.Silo.Errors;
using Atelier.Silo.Grpc;
using Atelier.Silo.Health;
using Atelier.Silo.Observability;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Atelier.Silo.Security;
using Microsoft.Extensions.Options;
using Orleans.Dashboard;

namespace Atelier.Silo.Hosting;

/// <summary>Composition of the silo host: configuration sources, services and endpoints.</summary>
internal static partial class SiloHostExtensions
{
    /// <summary>Prefix of environment variables read as configuration: <c>ATELIER__Silo__Name=a</c> sets <c>Silo:Name</c>.</summary>
    public const string EnvironmentPrefix = "ATELIER__";

    public static WebApplicationBuilder AddAtelierSilo(this WebApplicationBuilder builder)
    {
        builder.Configuration.AddEnvironmentVariables(EnvironmentPrefix);

        // Orleans reports its configuration and every membership step at Information; keep its warnings unless the
        // Logging section says otherwise (Logging:LogLevel:Orleans).
        if (builder.Configuration["Logging:LogLevel:Orleans"] is null)
        {
            builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        }

        // Embedded default: listen on loopback:8080 unless the standard ASP.NET Core settings say otherwise.
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey])
            && !builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.UseUrls(SiloOptions.DefaultUrl);
        }

        builder.Services.AddOptions<SiloOptions>()
            .Bind(builder.Configuration.GetSection(SiloOptions.SectionName))
            .Validate(o => !string.IsNullOrWhiteSpace(o.Name), "Silo:Name must not be empty.")
            .Validate(o => o.Device is "cpu" or "cuda", "Silo:Device must be 'cpu' or 'cuda'.")
            .Validate(o => o.Mode is "embedded" or "redis", "Silo:Mode must be 'embedded' or 'redis'.")
            .Validate(o => o.ShutdownTimeoutSeconds is > 0 and <= 600, "Silo:ShutdownTimeoutSeconds must be in 1..600.")
            .ValidateOnStart();

        // The host's stop deadline bounds the drain: Orleans migrates this silo's sessions while it stops.
        builder.Services.AddOptions<HostOptions>()
            .Configure<IOptions<SiloOptions>>((host, silo) => host.ShutdownTimeout = TimeSpan.FromSeconds(silo.Value.ShutdownTimeoutSeconds));

        // The Orleans silo (embedded or Redis cluster) and the product's grains and silo services.
        var siloName = builder.Configuration[$"{SiloOptions.SectionName}:{nameof(SiloOptions.Name)}"] is { Length: > 0 } name
            ? name
            : new SiloOptions().Name;
        builder.Services.AddSingleton(new SiloIdentity(siloName));
        builder.AddAtelierOrleans(siloName);
        builder.Services.AddOptions<ModelLoaderOptions>().Configure<IOptions<SiloOptions>>((loader, silo) =>
        {
            // Silo:Device=cuda puts every model on the CUDA execution provider (its own options under Models:Loader:Session:Cuda).
            if (silo.Value.Device == "cuda")
            {
                loader.Session.ExecutionProvider = ExecutionProvider.Cuda;
            }
        });

        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<AtelierExceptionHandler>();
        builder.Services.AddSingleton<LifetimeReadinessCheck>();
        builder.Services.AddHealthChecks()
            .AddCheck<LifetimeReadinessCheck>("lifetime", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<ModelStoreReadinessCheck>("models", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<MembershipReadinessCheck>("membership", tags: [HealthEndpoints.ReadyTag]);
        builder.Services.AddHostedService<StartupSummary>();
        builder.AddAtelierApi();
        builder.AddAtelierGrpc();
        builder.AddAtelierObservability();
        return builder;
    }

    public static WebApplication MapAtelierSilo(this WebApplication app)
    {
        app.UseAtelierObservability();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        var siloName = app.Services.GetRequiredService<IOptions<SiloOptions>>().Value.Name;
        app.Use((context, next) =>
        {
            context.Response.Headers["X-Atelier-Silo"] = siloName;
            return next(context);
        });
        app.UseAtelierEditor();
        app.MapHealthEndpoints();
        app.MapAtelierApi();
        app.MapAtelierGrpc();
        app.MapOrleansDashboard(ApiKeyMiddleware.DashboardPath);
        return app;
    }
}
