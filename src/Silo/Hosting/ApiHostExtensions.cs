using Atelier.Grains;
using SessionOptions = Atelier.Grains.SessionOptions;
using Atelier.Silo.Endpoints;
using Atelier.Silo.Errors;
using Atelier.Silo.KServe;
using Atelier.Silo.KServe.Grpc;
using Atelier.Silo.SageMaker;
using Atelier.Silo.Security;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Atelier.Silo.Hosting;

/// <summary>The public API surface of the silo: endpoints, security, OpenAPI. Called from <see cref="SiloHostExtensions"/>.</summary>
internal static class ApiHostExtensions
{
    public static WebApplicationBuilder AddAtelierApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ApiOptions>()
            .Bind(builder.Configuration.GetSection(ApiOptions.SectionName))
            .Validate(o => o.MaxUploadBytes > 0 && o.MaxJsonBytes > 0, "Api:MaxUploadBytes and Api:MaxJsonBytes must be positive.")
            .Validate(o => o.MaxJsonDepth is >= 4 and <= 64, "Api:MaxJsonDepth must be in 4..64.")
            .Validate(o => o.MaxPromptLength > 0 && o.MaxSteps > 0 && o.MaxGuidance > 0 && o.MaxCoordinate > 0,
                "Api:MaxPromptLength, Api:MaxSteps, Api:MaxGuidance and Api:MaxCoordinate must be positive.")
            .ValidateOnStart();
        services.AddOptions<SessionOptions>().Bind(builder.Configuration.GetSection(SessionOptions.SectionName));
        services.AddOptions<SecurityOptions>().Bind(builder.Configuration.GetSection(SecurityOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidator>());
        services.PostConfigure<ProblemDetailsOptions>(o => o.CustomizeProblemDetails = StatusProblems.Customize(o.CustomizeProblemDetails));

        // Kestrel's own body limit (default ~28.6 MiB) sits just above the API's limits, which give the precise
        // codes; model uploads raise it per request to the store's archive limit.
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ApiOptions>>((kestrel, api) =>
            kestrel.Limits.MaxRequestBodySize = Math.Max(api.Value.MaxUploadBytes + (1 << 20), api.Value.MaxJsonBytes + (1L << 20)));
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<TenantRateLimiter>();
        services.AddSingleton<ClusterView>();
        services.AddSingleton<ApiJson>();
        services.AddHostedService<SecurityStartup>();
        services.AddOpenApi(OpenApiSetup.DocumentName, OpenApiSetup.Configure);
        services.AddKServe(builder.Configuration);
        services.AddKServeGrpc();
        services.AddSageMaker(builder.Configuration);
        return builder;
    }

    public static WebApplication MapAtelierApi(this WebApplication app)
    {
        app.UseMiddleware<ApiKeyMiddleware>();
        app.MapOpenApi();
        app.MapApiPage();
        app.MapSessionEndpoints();
        app.MapModelEndpoints();
        app.MapClusterEndpoints();
        app.MapKServeEndpoints();
        app.MapSageMakerEndpoints();
        return app;
    }
}
