using System.Reflection;
using System.Text.Json;
using Atelier.Models.Tensors;
using Atelier.Silo.Endpoints;
using Atelier.Silo.Health;
using Atelier.Silo.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Atelier.Silo.KServe;

/// <summary>
/// The KServe v2 (open inference protocol) REST surface on the main HTTP port: health, server and model metadata,
/// model readiness, inference with JSON tensors and the binary tensor data extension, and the model repository
/// extension. Model names follow <see cref="InferenceTarget"/>; runs go through <see cref="InferenceModels"/>.
/// Authenticated like <c>/v1</c> (health excepted); errors are <c>{"error": "…"}</c> (<see cref="KServeErrorFilter"/>).
/// </summary>
internal static class KServeEndpoints
{
    /// <summary>The extensions <c>GET /v2</c> lists.</summary>
    public static readonly string[] Extensions = ["binary_tensor_data", "model_repository"];

    /// <summary>The platform reported in model metadata.</summary>
    public const string Platform = "onnxruntime_onnx";

    public static IServiceCollection AddKServe(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<KServeOptions>().Bind(configuration.GetSection(KServeOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<KServeOptions>, KServeOptionsValidator>();
        services.AddSingleton<InferenceModels>();
        return services;
    }

    public static IEndpointRouteBuilder MapKServeEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var v2 = endpoints.MapGroup("/v2").WithTags("KServe v2").AddEndpointFilter<KServeErrorFilter>();
        v2.MapGet("/", ServerMetadata).WithName("KServeServerMetadata").WithSummary("Server name, version and supported extensions");
        v2.MapGet("/health/live", () => TypedResults.Ok()).WithName("KServeLive").WithSummary("200 while the server can answer");
        v2.MapGet("/health/ready", ServerReadyAsync).WithName("KServeReady").WithSummary("200 when the silo can serve inference, 400 otherwise");

        v2.MapGet("/models/{name}", ModelMetadataAsync).WithName("KServeModelMetadata");
        v2.MapGet("/models/{name}/versions/{version}", ModelMetadataAsync).WithName("KServeModelVersionMetadata");
        v2.MapGet("/models/{name}/ready", ModelReadyAsync).WithName("KServeModelReady");
        v2.MapGet("/models/{name}/versions/{version}/ready", ModelReadyAsync).WithName("KServeModelVersionReady");
        v2.MapPost("/models/{name}/infer", InferAsync).WithName("KServeInfer")
            .WithSummary("Inference: JSON tensors, or the binary tensor data extension (Inference-Header-Content-Length)");
        v2.MapPost("/models/{name}/versions/{version}/infer", InferAsync).WithName("KServeVersionInfer");

        v2.MapPost("/repository/index", IndexAsync).WithName("KServeRepositoryIndex");
        v2.MapPost("/repository/models/{name}/load", LoadAsync).WithName("KServeRepositoryLoad");
        v2.MapPost("/repository/models/{name}/unload", UnloadAsync).WithName("KServeRepositoryUnload");
        return endpoints;
    }

    /// <summary>True when every readiness check of the silo passes (the same checks as <c>/readyz</c>).</summary>
    public static async Task<bool> IsSiloReadyAsync(HealthCheckService health, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(c => c.Tags.Contains(HealthEndpoints.ReadyTag), cancellationToken).ConfigureAwait(false);
        return report.Status == HealthStatus.Healthy;
    }

    /// <summary>The version <c>GET /v2</c> reports: the silo assembly's informational version without its commit suffix.</summary>
    public static string ServerVersion { get; } =
        typeof(KServeEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private static IResult ServerMetadata() => TypedResults.Ok(new ServerMetadataResponse("atelier", ServerVersion, Extensions));

    private static async Task<IResult> ServerReadyAsync(HttpContext context, [FromServices] HealthCheckService health) =>
        await IsSiloReadyAsync(health, context.RequestAborted).ConfigureAwait(false)
            ? TypedResults.Ok()
            : TypedResults.Json(new KServeError("the silo is not ready"), statusCode: StatusCodes.Status400BadRequest);

    private static async Task<IResult> ModelMetadataAsync(HttpContext context, [FromServices] InferenceModels models, string name, string? version)
    {
        var target = await models.ResolveAsync(name, version, TenantIdentity.Of(context), context.RequestAborted).ConfigureAwait(false);
        var (inputs, outputs) = await models.SignatureAsync(target, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new ModelMetadataResponse(target.Name, [target.Version], Platform, Describe(inputs), Describe(outputs)));
    }

    private static async Task<IResult> ModelReadyAsync(HttpContext context, [FromServices] InferenceModels models, string name, string? version)
    {
        var target = await models.ResolveAsync(name, version, TenantIdentity.Of(context), context.RequestAborted).ConfigureAwait(false);
        return models.IsReady(target)
            ? TypedResults.Ok()
            : TypedResults.Json(new KServeError($"model '{target.Name}' is not loaded on this silo"), statusCode: StatusCodes.Status400BadRequest);
    }

    private static async Task InferAsync(
        HttpContext context, [FromServices] InferenceModels models, IOptions<KServeOptions> options, string name, string? version)
    {
        var target = await models.ResolveAsync(name, version, TenantIdentity.Of(context), context.RequestAborted).ConfigureAwait(false);
        await KServeHttp.InferAsync(context, models, target, options.Value, options.Value.MaxRequestBytes, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<IResult> IndexAsync(HttpContext context, [FromServices] InferenceModels models, [FromServices] ApiJson json, IOptions<ApiOptions> api)
    {
        var body = await RequestBodies.ReadJsonAsync<IndexBody>(context.Request, api.Value.MaxJsonBytes, json.Options, context.RequestAborted).ConfigureAwait(false);
        var result = new List<RepositoryModel>();
        foreach (var target in await models.ListAsync(TenantIdentity.Of(context), context.RequestAborted).ConfigureAwait(false))
        {
            var ready = models.IsReady(target);
            if (body?.Ready is not true || ready)
            {
                result.Add(new RepositoryModel(target.Name, target.Version, ready ? "READY" : "UNAVAILABLE", ready ? "" : "not loaded on this silo"));
            }
        }

        return TypedResults.Ok(result);
    }

    private static async Task<IResult> LoadAsync(HttpContext context, [FromServices] InferenceModels models, string name)
    {
        var target = await models.ResolveAsync(name, null, TenantIdentity.Of(context), context.RequestAborted).ConfigureAwait(false);
        await models.LoadAsync(target, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok();
    }

    private static async Task<IResult> UnloadAsync(HttpContext context, [FromServices] InferenceModels models, string name)
    {
        var target = await models.ResolveAsync(name, null, TenantIdentity.Of(context), context.RequestAborted).ConfigureAwait(false);
        models.Unload(target);
        return TypedResults.Ok();
    }

    private static TensorMetadata[] Describe(IReadOnlyList<TensorSignature> signatures)
    {
        var result = new TensorMetadata[signatures.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var s = signatures[i];
            result[i] = new TensorMetadata(s.Name, TensorDatatype.NameOf(s.ElementType) ?? s.ElementType.ToString().ToUpperInvariant(), s.Shape);
        }

        return result;
    }
}
