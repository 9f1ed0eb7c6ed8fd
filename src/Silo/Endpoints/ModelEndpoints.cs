using Microsoft.AspNetCore.Mvc;
using Atelier.Grains;
using Atelier.Models.Store;
using Atelier.Silo.Errors;
using Atelier.Silo.Security;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Atelier.Silo.Endpoints;

/// <summary>
/// <c>/v1/models</c>: list, register, delete, load and unload models. A tenant sees shared models and its own;
/// another tenant's model answers 404 as if it did not exist. Registering needs an admin key; a tenant may
/// delete its own models.
/// </summary>
internal static class ModelEndpoints
{
    private static readonly string[] ArchiveTypes = ["application/gzip", "application/x-gzip", "application/zip", "application/octet-stream"];

    public static IEndpointRouteBuilder MapModelEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1/models").WithTags("Models");

        group.MapGet("/", ListAsync)
            .WithName("ListModels")
            .WithSummary("Registered models visible to the caller, with residency per silo")
            .Produces<ModelResponse[]>()
            .WithProblems(401, 429);

        group.MapGet("/{id}", GetAsync)
            .WithName("GetModel")
            .WithSummary("One registered model")
            .Produces<ModelResponse>()
            .WithProblems(401, 404, 429);

        group.MapPut("/{id}", RegisterAsync)
            .WithName("RegisterModel")
            .WithSummary("Register or replace a model from an archive (admin)")
            .WithDescription("Body: application/gzip (.tar.gz) or application/zip holding model.json and its ONNX files. "
                + "201 when new, 200 when it replaced a model with that id.")
            .Accepts<byte[]>("application/gzip", "application/zip")
            .Produces<ModelResponse>(StatusCodes.Status201Created)
            .Produces<ModelResponse>()
            .WithProblems(400, 401, 403, 413, 415, 429);

        group.MapDelete("/{id}", DeleteAsync)
            .WithName("DeleteModel")
            .WithSummary("Unload a model everywhere and delete it (admin or owning tenant)")
            .Produces(StatusCodes.Status204NoContent)
            .WithProblems(401, 403, 404, 429);

        group.MapPost("/{id}/load", LoadAsync)
            .WithName("LoadModel")
            .WithSummary("Load a model onto a silo's device (default: the silo answering)")
            .Accepts<SiloTargetBody>("application/json")
            .Produces<ResidencyResponse>(StatusCodes.Status202Accepted)
            .WithProblems(400, 401, 404, 429, 503);

        group.MapPost("/{id}/unload", UnloadAsync)
            .WithName("UnloadModel")
            .WithSummary("Unload a model from a silo's device (default: the silo answering)")
            .Accepts<SiloTargetBody>("application/json")
            .Produces<UnloadResponse>()
            .WithProblems(400, 401, 404, 429);

        return endpoints;
    }

    /// <summary>Model ids: 1–64 characters of <c>a-z 0-9 . _ -</c>, starting with a letter or digit.</summary>
    public static bool IsWellFormedId(string id)
    {
        if (id.Length is 0 or > 64 || !(char.IsAsciiLetterLower(id[0]) || char.IsAsciiDigit(id[0])))
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static async Task<IResult> ListAsync(HttpContext context, [FromServices] IModelStore store, [FromServices] ClusterView cluster)
    {
        var identity = TenantIdentity.Of(context);
        var ct = context.RequestAborted;
        var entries = await store.ListAsync(ct).ConfigureAwait(false);
        var residency = await ResidencyAsync(cluster, ct).ConfigureAwait(false);
        var models = new List<ModelResponse>(entries.Count);
        foreach (var entry in entries)
        {
            if (IsVisible(entry, identity))
            {
                models.Add(ModelResponse.From(entry, residency.TryGetValue(entry.Id, out var r) ? r : []));
            }
        }

        return TypedResults.Ok(models);
    }

    private static async Task<IResult> GetAsync(HttpContext context, [FromServices] IModelStore store, [FromServices] ClusterView cluster, string id)
    {
        var entry = await FindAsync(context, store, id).ConfigureAwait(false);
        var residency = await ResidencyAsync(cluster, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(ModelResponse.From(entry, residency.TryGetValue(entry.Id, out var r) ? r : []));
    }

    private static async Task<IResult> RegisterAsync(HttpContext context, [FromServices] IModelStore store, IOptions<ModelStoreOptions> storeOptions, string id)
    {
        if (!IsWellFormedId(id))
        {
            throw RequestRejectedException.Invalid("id", "1-64 characters of a-z 0-9 . _ -, starting with a letter or digit");
        }

        if (!TenantIdentity.Of(context).IsAdmin)
        {
            throw new RequestRejectedException(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "registering a model needs an admin key");
        }

        var contentType = context.Request.ContentType?.Split(';')[0].Trim();
        if (contentType is null || Array.FindIndex(ArchiveTypes, t => t.Equals(contentType, StringComparison.OrdinalIgnoreCase)) < 0)
        {
            throw new RequestRejectedException(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType,
                "Content-Type: a model archive must be application/gzip or application/zip");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeLimit)
        {
            sizeLimit.MaxRequestBodySize = storeOptions.Value.MaxArchiveBytes;
        }

        var body = RequestBodies.LimitedBody(context.Request, storeOptions.Value.MaxArchiveBytes);
        await using (body.ConfigureAwait(false))
        {
            var registration = await store.RegisterAsync(body, id, context.RequestAborted).ConfigureAwait(false);
            var model = ModelResponse.From(registration.Entry, []);
            return registration.Replaced ? TypedResults.Ok(model) : TypedResults.Created("/v1/models/" + id, model);
        }
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, [FromServices] IModelStore store, [FromServices] ClusterView cluster, string id)
    {
        var entry = await FindAsync(context, store, id).ConfigureAwait(false);
        var identity = TenantIdentity.Of(context);
        if (!identity.IsAdmin && entry.Manifest.Tenant != identity.Tenant)
        {
            throw new RequestRejectedException(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "deleting a shared model needs an admin key");
        }

        var ct = context.RequestAborted;
        foreach (var member in await cluster.GetMembersAsync(ct).ConfigureAwait(false))
        {
            if (member.Stats is not null)
            {
                await cluster.ModelHost(member.Address).Unload(id).ConfigureAwait(false);
            }
        }

        if (!await store.DeleteAsync(id, ct).ConfigureAwait(false))
        {
            throw new ModelNotFoundException($"model '{id}' does not exist");
        }

        return TypedResults.NoContent();
    }

    private static async Task<IResult> LoadAsync(
        HttpContext context, [FromServices] IModelStore store, [FromServices] ClusterView cluster, [FromServices] ApiJson json, IOptions<ApiOptions> api, string id)
    {
        var entry = await FindAsync(context, store, id).ConfigureAwait(false);
        var (grain, _) = await TargetAsync(context, cluster, json, api).ConfigureAwait(false);
        var residency = await grain.Load(entry.Id).WaitAsync(context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Accepted("/v1/models/" + entry.Id, ResidencyResponse.From(residency));
    }

    private static async Task<IResult> UnloadAsync(
        HttpContext context, [FromServices] IModelStore store, [FromServices] ClusterView cluster, [FromServices] ApiJson json, IOptions<ApiOptions> api, string id)
    {
        var entry = await FindAsync(context, store, id).ConfigureAwait(false);
        var (grain, silo) = await TargetAsync(context, cluster, json, api).ConfigureAwait(false);
        var unloaded = await grain.Unload(entry.Id).WaitAsync(context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new UnloadResponse(entry.Id, silo, unloaded));
    }

    private static async Task<(IModelHostService Grain, string Name)> TargetAsync(
        HttpContext context, [FromServices] ClusterView cluster, [FromServices] ApiJson json, IOptions<ApiOptions> api)
    {
        var body = await RequestBodies.ReadJsonAsync<SiloTargetBody>(context.Request, api.Value.MaxJsonBytes, json.Options, context.RequestAborted).ConfigureAwait(false);
        return await cluster.FindModelHostAsync(body?.Silo, context.RequestAborted).ConfigureAwait(false)
            ?? throw RequestRejectedException.Invalid("silo", $"no active silo named '{body?.Silo}'");
    }

    /// <summary>The model if it exists and the caller may see it; otherwise 404 (another tenant's model does not exist).</summary>
    private static async Task<ModelEntry> FindAsync(HttpContext context, [FromServices] IModelStore store, string id)
    {
        var entry = IsWellFormedId(id) ? await store.GetAsync(id, context.RequestAborted).ConfigureAwait(false) : null;
        return entry is not null && IsVisible(entry, TenantIdentity.Of(context))
            ? entry
            : throw new ModelNotFoundException($"model '{(id.Length > 64 ? id[..64] : id)}' does not exist");
    }

    /// <summary>Shared models, and a tenant's own (admins see all): the one visibility rule of every model surface.</summary>
    internal static bool IsVisible(ModelEntry entry, TenantIdentity identity) =>
        entry.Manifest.Tenant is null || identity.IsAdmin || entry.Manifest.Tenant == identity.Tenant;

    private static async Task<Dictionary<string, List<ModelResidency>>> ResidencyAsync([FromServices] ClusterView cluster, CancellationToken cancellationToken)
    {
        var byModel = new Dictionary<string, List<ModelResidency>>(StringComparer.Ordinal);
        foreach (var member in await cluster.GetMembersAsync(cancellationToken).ConfigureAwait(false))
        {
            if (member.Stats is null)
            {
                continue;
            }

            foreach (var residency in await cluster.ModelHost(member.Address).GetResidency().ConfigureAwait(false))
            {
                if (!byModel.TryGetValue(residency.ModelId, out var list))
                {
                    byModel[residency.ModelId] = list = [];
                }

                list.Add(residency);
            }
        }

        return byModel;
    }
}
