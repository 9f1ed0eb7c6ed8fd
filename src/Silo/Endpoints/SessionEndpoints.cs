using Microsoft.AspNetCore.Mvc;
using System.Globalization;
using Atelier.Grains;
using SessionOptions = Atelier.Grains.SessionOptions;
using Atelier.Silo.Errors;
using Atelier.Silo.Security;
using Microsoft.Extensions.Options;

namespace Atelier.Silo.Endpoints;

/// <summary><c>/v1/sessions</c>: open, inspect, segment, edit, undo/redo, download and close sessions.</summary>
internal static partial class SessionEndpoints
{
    public const string MaskScoreHeader = "X-Mask-Score";

    public const string SiloHeader = "X-Atelier-Silo";

    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static IEndpointRouteBuilder MapSessionEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1/sessions").WithTags("Sessions");

        group.MapPost("/", OpenAsync)
            .WithName("OpenSession")
            .WithSummary("Open a session on an uploaded image")
            .WithDescription("Body: raw image bytes (image/jpeg, image/png, image/webp) or multipart/form-data with field 'image'. "
                + "The content is sniffed; a declared type that contradicts it is refused. Query: model (segmenter id), ttl (seconds).")
            .Accepts<byte[]>("image/jpeg", "image/png", "image/webp", "application/octet-stream", "multipart/form-data")
            .Produces<SessionResponse>(StatusCodes.Status201Created)
            .WithProblems(400, 401, 404, 413, 415, 422, 429, 503);

        group.MapGet("/{id}", GetAsync)
            .WithName("GetSession")
            .WithSummary("Describe a session")
            .Produces<SessionResponse>()
            .WithProblems(401, 404, 429);

        group.MapPost("/{id}/segment", SegmentAsync)
            .WithName("Segment")
            .WithSummary("Segment from points and/or a box; the best mask becomes the selection")
            .WithDescription("Answers the best mask as a single-channel 0/255 PNG at the original size with header X-Mask-Score, "
                + "or with 'Accept: application/json' every mask as COCO RLE, best first.")
            .Accepts<SegmentBody>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "image/png")
            .Produces<SegmentResponse>(StatusCodes.Status200OK, "application/json")
            .WithProblems(400, 401, 404, 413, 415, 429, 503);

        group.MapPost("/{id}/select-subject", SelectSubjectAsync)
            .WithName("SelectSubject")
            .WithSummary("Select the salient subject (ISNet); it becomes the selection")
            .Accepts<SelectSubjectBody>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "image/png")
            .Produces<SegmentResponse>(StatusCodes.Status200OK, "application/json")
            .WithProblems(400, 401, 404, 415, 429, 501, 503);

        group.MapPost("/{id}/erase", EraseAsync)
            .WithName("Erase")
            .WithSummary("Inpaint the selection (or a supplied mask) away")
            .Accepts<EraseBody>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "image/png")
            .WithProblems(400, 401, 404, 409, 413, 415, 429, 501, 503);

        group.MapPost("/{id}/replace", ReplaceAsync)
            .WithName("Replace")
            .WithSummary("Replace the selection from a text prompt (Stable Diffusion inpainting); the result becomes a new version")
            .WithDescription("Answers the edited image as PNG; with 'Accept: application/json' {contentType, image (base64), session}; "
                + "with 'Accept: text/event-stream' Server-Sent Events: 'progress' {step, steps} per denoising step, then 'result' "
                + "(the JSON answer) or 'error' (a problem document). Errors found before the run starts (validation, 404, 501) "
                + "are plain problem responses. 501 model_not_available while the configured sd-inpaint model is not registered.")
            .Accepts<ReplaceBody>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "image/png")
            .Produces<ReplaceResponse>(StatusCodes.Status200OK, "application/json")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .WithProblems(400, 401, 404, 409, 413, 415, 429, 501, 503);

        group.MapPost("/{id}/undo", UndoAsync)
            .WithName("Undo")
            .WithSummary("Go back one image version")
            .Produces<SessionResponse>()
            .WithProblems(401, 404, 409, 429);

        group.MapPost("/{id}/redo", RedoAsync)
            .WithName("Redo")
            .WithSummary("Go forward one image version")
            .Produces<SessionResponse>()
            .WithProblems(401, 404, 409, 429);

        group.MapGet("/{id}/image", GetImageAsync)
            .WithName("GetSessionImage")
            .WithSummary("Download the current image version (?format=png|jpeg, default png)")
            .Produces(StatusCodes.Status200OK, contentType: "image/png")
            .Produces(StatusCodes.Status200OK, contentType: "image/jpeg")
            .WithProblems(400, 401, 404, 429);

        group.MapDelete("/{id}", CloseAsync)
            .WithName("CloseSession")
            .WithSummary("Close a session; afterwards every call on it answers 404")
            .Produces(StatusCodes.Status204NoContent)
            .WithProblems(401, 404, 429);

        return endpoints;
    }

    private static async Task<IResult> OpenAsync(
        HttpContext context, [FromServices] IGrainFactory grains, IOptions<ApiOptions> api, IOptions<SessionOptions> sessions,
        string? model, string? ttl)
    {
        var ct = context.RequestAborted;
        if (model is not null && !ModelEndpoints.IsWellFormedId(model))
        {
            throw new ModelNotFoundException($"model: no model named '{Truncate(model)}'");
        }

        TimeSpan? ttlSpan = null;
        if (ttl is not null)
        {
            if (!int.TryParse(ttl, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                || seconds < 1 || seconds > sessions.Value.MaxTtl.TotalSeconds)
            {
                throw RequestRejectedException.Invalid("ttl", $"must be whole seconds in 1..{(int)sessions.Value.MaxTtl.TotalSeconds}");
            }

            ttlSpan = TimeSpan.FromSeconds(seconds);
        }

        var upload = await RequestBodies.ReadImageAsync(context.Request, api.Value.MaxUploadBytes, ct).ConfigureAwait(false);
        var id = SessionIds.New();
        var grain = Session(context, grains, id);
        SessionIds.HintNewSession(id, model ?? sessions.Value.DefaultModel);
        var info = await grain.Open(upload, new OpenSessionOptions(model, ttlSpan), ct).ConfigureAwait(false);
        return TypedResults.Created("/v1/sessions/" + id, Executed(context, info));
    }

    private static async Task<IResult> GetAsync(HttpContext context, [FromServices] IGrainFactory grains, string id) =>
        TypedResults.Ok(Executed(context,
            await Session(context, grains, id).GetInfo(context.RequestAborted).ConfigureAwait(false)));

    private static async Task<IResult> SegmentAsync(
        HttpContext context, [FromServices] IGrainFactory grains, IOptions<ApiOptions> api, IOptions<SessionOptions> sessions,
        [FromServices] ApiJson json, string id)
    {
        var grain = Session(context, grains, id);
        var body = await RequestBodies.ReadJsonAsync<SegmentBody>(context.Request, api.Value.MaxJsonBytes, json.Options, context.RequestAborted).ConfigureAwait(false)
            ?? throw new InvalidPromptException("body: a JSON body with points and/or a box is required");
        var request = PromptValidator.ToRequest(body, sessions.Value, api.Value) with
        {
            Encodings = WantsJson(context.Request) ? MaskEncodings.Rle : MaskEncodings.Png,
        };
        var result = await grain.Segment(request, context.RequestAborted).ConfigureAwait(false);
        return MaskResult(context, result);
    }

    private static async Task<IResult> SelectSubjectAsync(
        HttpContext context, [FromServices] IGrainFactory grains, IOptions<ApiOptions> api, IOptions<SessionOptions> sessions,
        [FromServices] ApiJson json, string id)
    {
        var grain = Session(context, grains, id);
        var body = await RequestBodies.ReadJsonAsync<SelectSubjectBody>(context.Request, api.Value.MaxJsonBytes, json.Options, context.RequestAborted).ConfigureAwait(false);
        var result = await grain.SelectSubject(PromptValidator.ToRequest(body, sessions.Value), context.RequestAborted).ConfigureAwait(false);
        return MaskResult(context, result);
    }

    private static async Task<IResult> EraseAsync(
        HttpContext context, [FromServices] IGrainFactory grains, IOptions<ApiOptions> api, IOptions<SessionOptions> sessions,
        [FromServices] ApiJson json, string id)
    {
        var grain = Session(context, grains, id);
        var body = await RequestBodies.ReadJsonAsync<EraseBody>(context.Request, api.Value.MaxJsonBytes, json.Options, context.RequestAborted).ConfigureAwait(false);
        var result = await grain.Erase(PromptValidator.ToRequest(body, sessions.Value), context.RequestAborted).ConfigureAwait(false);
        Executed(context, result.Session);
        return TypedResults.Bytes(result.ImagePng, "image/png");
    }

    private static async Task<IResult> ReplaceAsync(
        HttpContext context, [FromServices] IGrainFactory grains, IOptions<ApiOptions> api, IOptions<SessionOptions> sessions,
        [FromServices] ApiJson json, string id)
    {
        var grain = Session(context, grains, id);
        var body = await RequestBodies.ReadJsonAsync<ReplaceBody>(context.Request, api.Value.MaxJsonBytes, json.Options, context.RequestAborted).ConfigureAwait(false);
        var request = PromptValidator.ToRequest(body, sessions.Value, api.Value);
        if (Accepts(context.Request, ReplaceEvents.ContentType))
        {
            await ReplaceEvents.StreamAsync(context, grains, grain, request, json.Options).ConfigureAwait(false);
            return TypedResults.Empty;
        }

        var result = await grain.Replace(request, context.RequestAborted).ConfigureAwait(false);
        var session = Executed(context, result.Session);
        return WantsJson(context.Request)
            ? TypedResults.Ok(ReplaceResponse.From(result, session))
            : TypedResults.Bytes(result.ImagePng, "image/png");
    }

    private static async Task<IResult> UndoAsync(HttpContext context, [FromServices] IGrainFactory grains, string id) =>
        TypedResults.Ok(Executed(context,
            await Session(context, grains, id).Undo(context.RequestAborted).ConfigureAwait(false)));

    private static async Task<IResult> RedoAsync(HttpContext context, [FromServices] IGrainFactory grains, string id) =>
        TypedResults.Ok(Executed(context,
            await Session(context, grains, id).Redo(context.RequestAborted).ConfigureAwait(false)));

    private static async Task<IResult> GetImageAsync(HttpContext context, [FromServices] IGrainFactory grains, string id, string? format)
    {
        var encoding = format?.ToUpperInvariant() switch
        {
            null or "PNG" => ImageEncoding.Png,
            "JPEG" or "JPG" => ImageEncoding.Jpeg,
            _ => throw RequestRejectedException.Invalid("format", "must be png or jpeg"),
        };
        var image = await Session(context, grains, id).GetImage(encoding, context.RequestAborted).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(image.Silo))
        {
            context.Response.Headers[SiloHeader] = image.Silo;
        }

        return TypedResults.Bytes(image.Content, image.ContentType);
    }

    private static async Task<IResult> CloseAsync(HttpContext context, [FromServices] IGrainFactory grains, string id)
    {
        var grain = Session(context, grains, id);
        await grain.CancelReplace(context.RequestAborted).ConfigureAwait(false); // a running replace stops instead of delaying the close
        var closed = await grain.Close(context.RequestAborted).ConfigureAwait(false);
        context.Response.Headers[SiloHeader] = closed.Silo; // the owner that closed it, wherever the request arrived
        return TypedResults.NoContent();
    }

    /// <summary>
    /// The session grain, with the caller's tenant and <c>Idempotency-Key</c> (if sent) in the request context.
    /// Malformed ids cannot exist: 404.
    /// </summary>
    private static ISessionGrain Session(HttpContext context, IGrainFactory grains, string id)
    {
        if (!SessionIds.IsWellFormed(id))
        {
            throw new SessionNotFoundException($"session '{Truncate(id)}' does not exist");
        }

        if (IdempotencyKey(context) is { } key)
        {
            CallContext.Set(CallContext.IdempotencyKey, key);
        }

        CallContext.Set(CallContext.Tenant, TenantIdentity.Of(context).Tenant);
        return grains.GetGrain<ISessionGrain>(id);
    }

    /// <summary>Names the session's owner silo in <c>X-Atelier-Silo</c> (it executed the call, wherever it was received).</summary>
    private static SessionResponse Executed(HttpContext context, SessionInfo info)
    {
        if (!string.IsNullOrEmpty(info.Silo))
        {
            context.Response.Headers[SiloHeader] = info.Silo;
        }

        return SessionResponse.From(info);
    }

    /// <summary>The <c>Idempotency-Key</c> header: one value of 1..<see cref="ApiOptions.MaxIdempotencyKeyLength"/> visible ASCII characters.</summary>
    private static string? IdempotencyKey(HttpContext context)
    {
        var values = context.Request.Headers[IdempotencyKeyHeader];
        if (values.Count == 0)
        {
            return null;
        }

        var max = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.MaxIdempotencyKeyLength;
        if (values.Count > 1 || values[0] is not { Length: > 0 } key || key.Length > max || !IsVisibleAscii(key))
        {
            throw RequestRejectedException.Invalid(IdempotencyKeyHeader, $"must be one value of 1..{max} visible ASCII characters");
        }

        return key;
    }

    private static bool IsVisibleAscii(string value)
    {
        foreach (var c in value)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private static IResult MaskResult(HttpContext context, SegmentResult result)
    {
        if (!string.IsNullOrEmpty(result.Silo))
        {
            context.Response.Headers[SiloHeader] = result.Silo;
        }

        if (WantsJson(context.Request))
        {
            return TypedResults.Ok(SegmentResponse.From(result));
        }

        if (result.Masks.Count > 0)
        {
            context.Response.Headers[MaskScoreHeader] = result.Masks[0].Score.ToString("0.######", CultureInfo.InvariantCulture);
        }

        return TypedResults.Bytes(result.BestMaskPng, "image/png");
    }

    internal static bool WantsJson(HttpRequest request) => Accepts(request, "application/json");

    private static bool Accepts(HttpRequest request, string mediaType)
    {
        foreach (var accept in request.GetTypedHeaders().Accept)
        {
            if (accept.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase) && accept.Quality is not 0)
            {
                return true;
            }
        }

        return false;
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 64), "…");
}
