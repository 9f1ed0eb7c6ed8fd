using Atelier.Silo.KServe;
using Atelier.Silo.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Atelier.Silo.SageMaker;

/// <summary>
/// The SageMaker container contract on the main HTTP port (8080 by default): <c>GET /ping</c>, <c>POST /invocations</c>
/// (stateful sessions through <c>X-Amzn-SageMaker-Session-Id</c>, stateless KServe v2 inference otherwise), and the
/// multi-model API (<c>/models</c>, <c>X-Amzn-SageMaker-Target-Model</c>). Mapped only when <c>SageMaker:Enabled</c>.
/// Requests act as the tenant <see cref="SageMakerOptions.Tenant"/>; bodies are limited to
/// <see cref="SageMakerOptions.MaxBodyBytes"/> and runs to <see cref="SageMakerOptions.InvocationTimeoutSeconds"/>.
/// Errors are <c>{"error": "…"}</c> with the silo's status mapping (<see cref="KServeErrorFilter"/>).
/// </summary>
internal static partial class SageMakerEndpoints
{
    public const string SessionIdHeader = "X-Amzn-SageMaker-Session-Id";
    public const string ClosedSessionIdHeader = "X-Amzn-SageMaker-Closed-Session-Id";
    public const string TargetModelHeader = "X-Amzn-SageMaker-Target-Model";

    /// <summary>The session id value that asks for a new session.</summary>
    public const string NewSession = "NEW_SESSION";

    public static IServiceCollection AddSageMaker(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SageMakerOptions>().Bind(configuration.GetSection(SageMakerOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SageMakerOptions>, SageMakerOptionsValidator>();
        services.AddSingleton<MultiModelRegistry>();
        return services;
    }

    public static IEndpointRouteBuilder MapSageMakerEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<SageMakerOptions>>().Value;
        if (!options.Enabled)
        {
            return endpoints;
        }

        var identity = new TenantIdentity(options.Tenant, IsAdmin: false);
        var group = endpoints.MapGroup("").WithTags("SageMaker")
            .AddEndpointFilter<KServeErrorFilter>()
            .AddEndpointFilter((context, next) =>
            {
                context.HttpContext.Features.Set(identity);
                return next(context);
            });

        group.MapGet("/ping", PingAsync).WithName("SageMakerPing").WithSummary("200 when the silo can serve, 503 otherwise");
        group.MapPost("/invocations", InvocationsAsync).WithName("SageMakerInvocations")
            .WithSummary("Session (X-Amzn-SageMaker-Session-Id) or stateless KServe v2 inference (X-Amzn-SageMaker-Target-Model)");
        group.MapPost("/models", LoadModelAsync).WithName("SageMakerLoadModel");
        group.MapGet("/models", ListModels).WithName("SageMakerListModels");
        group.MapGet("/models/{name}", GetModel).WithName("SageMakerGetModel");
        group.MapDelete("/models/{name}", UnloadModel).WithName("SageMakerUnloadModel");
        group.MapPost("/models/{name}/invoke", InvokeModelAsync).WithName("SageMakerInvokeModel");
        return endpoints;
    }

    private static async Task<IResult> PingAsync(HttpContext context, [FromServices] HealthCheckService health) =>
        await KServeEndpoints.IsSiloReadyAsync(health, context.RequestAborted).ConfigureAwait(false)
            ? TypedResults.Ok()
            : TypedResults.Json(new KServeError("the silo is not ready"), statusCode: StatusCodes.Status503ServiceUnavailable);

    private static Task InvocationsAsync(HttpContext context) =>
        InvokeAsync(context, context.Request.Headers[TargetModelHeader] is { Count: 1 } target ? target[0] : null);

    private static Task InvokeModelAsync(HttpContext context, string name) => InvokeAsync(context, name);

    /// <summary>
    /// One invocation under SageMaker's limits: a session call when <c>X-Amzn-SageMaker-Session-Id</c> is present,
    /// otherwise a KServe v2 inference request on the target model (<see cref="SageMakerOptions.DefaultModel"/> without one).
    /// </summary>
    private static async Task InvokeAsync(HttpContext context, string? targetModel)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<IOptions<SageMakerOptions>>().Value;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.InvocationTimeoutSeconds));
        var ct = timeout.Token;
        try
        {
            var registry = services.GetRequiredService<MultiModelRegistry>();
            string? modelId = null;
            if (targetModel is not null)
            {
                modelId = registry.TryGet(targetModel, out var loaded)
                    ? loaded.ModelId
                    : throw new Atelier.Grains.ModelNotFoundException($"model '{Truncate(targetModel)}' is not loaded (POST /models first)");
            }

            if (context.Request.Headers[SessionIdHeader] is { Count: > 0 } session)
            {
                var result = await SageMakerSessions.HandleAsync(context, session.ToString(), modelId, options, ct).ConfigureAwait(false);
                await result.ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            var models = services.GetRequiredService<InferenceModels>();
            var target = await models.ResolveAsync(modelId ?? options.DefaultModel, null, TenantIdentity.Of(context), ct).ConfigureAwait(false);
            var kserve = services.GetRequiredService<IOptions<KServeOptions>>().Value;
            await KServeHttp.InferAsync(context, models, target, kserve, Math.Min(options.MaxBodyBytes, kserve.MaxRequestBytes), ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            throw new TimeoutException($"The invocation did not complete within {options.InvocationTimeoutSeconds} s (SageMaker:InvocationTimeoutSeconds).");
        }
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 64), "…");
}
