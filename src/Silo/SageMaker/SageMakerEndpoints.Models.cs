using System.Text.Json.Serialization;
using Atelier.Grains;
using Atelier.Models.Store;
using Atelier.Silo.Endpoints;
using Atelier.Silo.Errors;
using Atelier.Silo.KServe;
using Atelier.Silo.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Atelier.Silo.SageMaker;

/// <summary>
/// The multi-model container API: load (<c>POST /models</c> with <c>model_name</c> and <c>url</c>: a model folder holding
/// <c>model.json</c>, or a <c>.tar.gz</c>/<c>.zip</c> archive, under <see cref="SageMakerOptions.ModelRoot"/>), list, get,
/// unload. A load registers the model in the store (staged and verified, as <c>PUT /v1/models</c> does) and loads it
/// through the model host: 409 when <c>model_name</c> is already loaded, 507 when the device budget cannot fit it.
/// </summary>
internal static partial class SageMakerEndpoints
{
    private static readonly string[] ArchiveSuffixes = [".tar.gz", ".tgz", ".zip"];

    private static async Task<IResult> LoadModelAsync(
        HttpContext context, [FromServices] IModelStore store, [FromServices] InferenceModels models, [FromServices] MultiModelRegistry registry,
        [FromServices] ApiJson json, IOptions<ApiOptions> api, IOptions<SageMakerOptions> options)
    {
        var ct = context.RequestAborted;
        var body = await RequestBodies.ReadJsonAsync<LoadModelBody>(context.Request, api.Value.MaxJsonBytes, json.Options, ct).ConfigureAwait(false);
        if (body?.ModelName is not { Length: > 0 and <= 256 } name)
        {
            throw RequestRejectedException.Invalid("model_name", "1..256 characters are required");
        }

        if (body.Url is not { Length: > 0 } url || !IsUnder(url, options.Value.ModelRoot, out var path))
        {
            throw RequestRejectedException.Invalid("url", $"must be a path inside {options.Value.ModelRoot} (SageMaker:ModelRoot)");
        }

        if (registry.TryGet(name, out _))
        {
            return TypedResults.Json(new KServeError($"model '{name}' is already loaded"), statusCode: StatusCodes.Status409Conflict);
        }

        if (registry.Count >= options.Value.MaxModels)
        {
            return TypedResults.Json(new KServeError($"{options.Value.MaxModels} models are loaded (SageMaker:MaxModels); unload one first"),
                statusCode: StatusCodes.Status507InsufficientStorage);
        }

        var registration = await RegisterAsync(store, path, ct).ConfigureAwait(false);
        var target = InferenceTarget.Of(registration.Entry).First();
        try
        {
            await models.LoadAsync(target, ct).ConfigureAwait(false);
        }
        catch (OverloadedException e)
        {
            // The contract's signal that SageMaker should unload other models and retry.
            return TypedResults.Json(new KServeError(e.Message), statusCode: StatusCodes.Status507InsufficientStorage);
        }

        if (!registry.TryAdd(new LoadedMultiModel(name, url, registration.Entry.Id)))
        {
            return TypedResults.Json(new KServeError($"model '{name}' is already loaded"), statusCode: StatusCodes.Status409Conflict);
        }

        return TypedResults.Ok(new MultiModelResponse(name, url));
    }

    private static IResult ListModels(HttpContext context, [FromServices] MultiModelRegistry registry, IOptions<SageMakerOptions> options, string? next_page_token)
    {
        string? after = null;
        if (next_page_token is not null)
        {
            try
            {
                after = System.Text.Encoding.UTF8.GetString(Microsoft.AspNetCore.WebUtilities.Base64UrlTextEncoder.Decode(next_page_token));
            }
            catch (FormatException)
            {
                throw RequestRejectedException.Invalid("next_page_token", "is not a token this server gave");
            }
        }

        var page = registry.Page(after, options.Value.PageSize + 1);
        var more = page.Count > options.Value.PageSize;
        if (more)
        {
            page.RemoveAt(page.Count - 1);
        }

        var items = page.ConvertAll(static m => new MultiModelResponse(m.ModelName, m.ModelUrl));
        return TypedResults.Ok(new MultiModelList(items,
            more ? Microsoft.AspNetCore.WebUtilities.Base64UrlTextEncoder.Encode(System.Text.Encoding.UTF8.GetBytes(page[^1].ModelName)) : null));
    }

    private static IResult GetModel([FromServices] MultiModelRegistry registry, string name) =>
        registry.TryGet(name, out var model)
            ? TypedResults.Ok(new MultiModelResponse(model.ModelName, model.ModelUrl))
            : throw new ModelNotFoundException($"model '{Truncate(name)}' is not loaded");

    private static IResult UnloadModel([FromServices] MultiModelRegistry registry, [FromServices] Atelier.Grains.Models.ModelHost host, string name)
    {
        if (!registry.TryRemove(name, out var model))
        {
            throw new ModelNotFoundException($"model '{Truncate(name)}' is not loaded");
        }

        host.Unload(model.ModelId);
        return TypedResults.Ok();
    }

    private static async Task<ModelRegistration> RegisterAsync(IModelStore store, string path, CancellationToken ct)
    {
        if (Directory.Exists(path))
        {
            if (File.Exists(Path.Combine(path, Atelier.Models.Manifest.ModelManifest.FileName)))
            {
                return await store.RegisterFolderAsync(path, ct).ConfigureAwait(false);
            }

            // SageMaker may leave the artifact as it was uploaded: one archive in the folder.
            var archives = Directory.EnumerateFiles(path).Where(f => Array.Exists(ArchiveSuffixes, s => f.EndsWith(s, StringComparison.OrdinalIgnoreCase))).Take(2).ToList();
            if (archives.Count != 1)
            {
                throw RequestRejectedException.Invalid("url", "the folder holds neither model.json nor exactly one .tar.gz or .zip archive");
            }

            path = archives[0];
        }

        if (!File.Exists(path))
        {
            throw RequestRejectedException.Invalid("url", "no such folder or archive");
        }

        var stream = File.OpenRead(path);
        await using (stream.ConfigureAwait(false))
        {
            return await store.RegisterAsync(stream, null, ct).ConfigureAwait(false);
        }
    }

    /// <summary>True when <paramref name="url"/> resolves to <paramref name="root"/> or a path inside it (no escape through <c>..</c>).</summary>
    private static bool IsUnder(string url, string root, out string path)
    {
        path = Path.GetFullPath(url);
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        return path.Equals(full, StringComparison.Ordinal) || path.StartsWith(full + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }
}

/// <summary>Body of <c>POST /models</c>.</summary>
internal sealed record LoadModelBody(
    [property: JsonPropertyName("model_name")] string? ModelName,
    [property: JsonPropertyName("url")] string? Url);

/// <summary>One model of the multi-model API.</summary>
internal sealed record MultiModelResponse(
    [property: JsonPropertyName("modelName")] string ModelName,
    [property: JsonPropertyName("modelUrl")] string ModelUrl);

/// <summary>A page of <c>GET /models</c>.</summary>
internal sealed record MultiModelList(
    [property: JsonPropertyName("models")] List<MultiModelResponse> Models,
    [property: JsonPropertyName("nextPageToken"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? NextPageToken);
