using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Atelier.Grains;
using Atelier.Silo.Endpoints;
using Atelier.Silo.Errors;
using Atelier.Silo.KServe;
using Atelier.Silo.Security;
using Microsoft.Extensions.Options;
using SessionOptions = Atelier.Grains.SessionOptions;

namespace Atelier.Silo.SageMaker;

/// <summary>
/// Stateful sessions as SageMaker routes them. <c>X-Amzn-SageMaker-Session-Id: NEW_SESSION</c> with an image body opens
/// a session (on the target model when one is named) and answers <c>X-Amzn-SageMaker-Session-Id: &lt;id&gt;;
/// Expires=&lt;UTC ISO 8601&gt;</c>; later calls carry the id and a JSON body whose <c>requestType</c> selects the edit
/// (the other fields are those of the matching <c>/v1/sessions</c> body); <c>CLOSE</c> closes it and answers
/// <c>X-Amzn-SageMaker-Closed-Session-Id</c>. The calls go to the same session grain as <c>/v1/sessions</c>.
/// </summary>
internal static class SageMakerSessions
{
    public static async Task<IResult> HandleAsync(HttpContext context, string header, string? modelId, SageMakerOptions options, CancellationToken ct)
    {
        var services = context.RequestServices;
        var grains = services.GetRequiredService<IGrainFactory>();
        var sessions = services.GetRequiredService<IOptions<SessionOptions>>().Value;
        CallContext.Set(CallContext.Tenant, TenantIdentity.Of(context).Tenant);
        var value = header.Split(';', 2)[0].Trim();
        if (value == SageMakerEndpoints.NewSession)
        {
            var upload = await RequestBodies.ReadImageAsync(context.Request, options.MaxBodyBytes, ct).ConfigureAwait(false);
            var id = SessionIds.New();
            SessionIds.HintNewSession(id, modelId ?? sessions.DefaultModel);
            var info = await grains.GetGrain<ISessionGrain>(id).Open(upload, new OpenSessionOptions(modelId, null), ct).ConfigureAwait(false);
            context.Response.Headers[SageMakerEndpoints.SessionIdHeader] =
                $"{id}; Expires={info.ExpiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}";
            return TypedResults.Ok(SessionResponse.From(info));
        }

        if (!SessionIds.IsWellFormed(value))
        {
            throw new SessionNotFoundException($"session '{(value.Length > 64 ? value[..64] : value)}' does not exist");
        }

        var grain = grains.GetGrain<ISessionGrain>(value);
        var (buffer, length) = await KServeHttp.ReadBodyAsync(context, options.MaxBodyBytes, ct).ConfigureAwait(false);
        try
        {
            return await DispatchAsync(context, grain, value, buffer.AsMemory(0, length), sessions, ct).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<IResult> DispatchAsync(
        HttpContext context, ISessionGrain grain, string id, ReadOnlyMemory<byte> body, SessionOptions sessions, CancellationToken ct)
    {
        var services = context.RequestServices;
        var json = services.GetRequiredService<ApiJson>().Options;
        var api = services.GetRequiredService<IOptions<ApiOptions>>().Value;
        string? requestType;
        using (var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = api.MaxJsonDepth }))
        {
            requestType = document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("requestType", out var type) && type.ValueKind == JsonValueKind.String
                    ? type.GetString()
                    : null;
        }

        switch (requestType?.ToUpperInvariant())
        {
            case "CLOSE":
                await grain.Close(ct).ConfigureAwait(false);
                context.Response.Headers[SageMakerEndpoints.ClosedSessionIdHeader] = id;
                return TypedResults.Ok(new ClosedResponse(id));
            case "INFO":
                return TypedResults.Ok(SessionResponse.From(await grain.GetInfo(ct).ConfigureAwait(false)));
            case "SEGMENT":
                {
                    var segment = JsonSerializer.Deserialize<SegmentBody>(body.Span, json)
                        ?? throw new InvalidPromptException("body: points and/or a box are required");
                    return Mask(context, await grain.Segment(PromptValidator.ToRequest(segment, sessions, api), ct).ConfigureAwait(false));
                }

            case "SELECT_SUBJECT":
                return Mask(context, await grain.SelectSubject(
                    PromptValidator.ToRequest(JsonSerializer.Deserialize<SelectSubjectBody>(body.Span, json), sessions), ct).ConfigureAwait(false));
            case "ERASE":
                return TypedResults.Bytes((await grain.Erase(
                    PromptValidator.ToRequest(JsonSerializer.Deserialize<EraseBody>(body.Span, json), sessions), ct).ConfigureAwait(false)).ImagePng, "image/png");
            case "REPLACE":
                return TypedResults.Bytes((await grain.Replace(
                    PromptValidator.ToRequest(JsonSerializer.Deserialize<ReplaceBody>(body.Span, json), sessions, api), ct).ConfigureAwait(false)).ImagePng, "image/png");
            case "UNDO":
                return TypedResults.Ok(SessionResponse.From(await grain.Undo(ct).ConfigureAwait(false)));
            case "REDO":
                return TypedResults.Ok(SessionResponse.From(await grain.Redo(ct).ConfigureAwait(false)));
            case "IMAGE":
                var image = await grain.GetImage(ImageEncoding.Png, ct).ConfigureAwait(false);
                return TypedResults.Bytes(image.Content, image.ContentType);
            default:
                throw RequestRejectedException.Invalid("requestType",
                    "must be one of SEGMENT, SELECT_SUBJECT, ERASE, REPLACE, UNDO, REDO, IMAGE, INFO, CLOSE");
        }
    }

    /// <summary>The best mask as PNG, or every mask as JSON (RLE) when the caller accepts JSON.</summary>
    private static IResult Mask(HttpContext context, SegmentResult result) =>
        SessionEndpoints.WantsJson(context.Request)
            ? TypedResults.Ok(SegmentResponse.From(result))
            : TypedResults.Bytes(result.BestMaskPng, "image/png");
}

/// <summary>Body of a <c>CLOSE</c> answer.</summary>
internal sealed record ClosedResponse(string Closed);
