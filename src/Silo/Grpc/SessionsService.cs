using System.Globalization;
using Atelier.Grains;
using Atelier.Grpc;
using Atelier.Silo.Endpoints;
using Atelier.Silo.Errors;
using Atelier.Silo.Security;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using SessionOptions = Atelier.Grains.SessionOptions;
using V1 = Atelier.Grpc.V1;

namespace Atelier.Silo.Grpc;

/// <summary>
/// <c>atelier.v1.Sessions</c>: the session calls of <c>/v1/sessions</c> over gRPC, calling the same grains with the
/// same validation (<see cref="PromptValidator"/>) and tenant isolation as the HTTP endpoints.
/// </summary>
internal sealed partial class SessionsService(
    IGrainFactory grains,
    IOptions<ApiOptions> api,
    IOptions<SessionOptions> sessions,
    IOptions<GrpcOptions> options,
    GrpcCallTracker tracker)
{
    public const string ServiceName = "atelier.v1.Sessions";

    /// <summary>Runs <paramref name="method"/>; false when the service has no such method (UNIMPLEMENTED).</summary>
    public Func<GrpcCall, Task>? Find(string method) => method switch
    {
        "Open" => OpenAsync,
        "GetInfo" => GetInfoAsync,
        "Segment" => SegmentAsync,
        "SelectSubject" => SelectSubjectAsync,
        "Erase" => EraseAsync,
        "Replace" => ReplaceAsync,
        "Undo" => UndoAsync,
        "Redo" => RedoAsync,
        "GetImage" => GetImageAsync,
        "Close" => CloseAsync,
        "Interact" => InteractAsync,
        _ => null,
    };

    /// <summary>Whether <paramref name="method"/> is a long-lived stream.</summary>
    public static bool IsStreaming(string method) => method is "Interact" or "Open";

    private async Task OpenAsync(GrpcCall call)
    {
        var first = await call.ReadNextAsync(V1.OpenRequest.Parser).ConfigureAwait(false)
            ?? throw RequestRejectedException.Invalid("chunk", "the upload is empty; send the image bytes in OpenRequest.chunk");
        string? model = first.Model.Length == 0 ? null : first.Model;
        if (model is not null && !ModelEndpoints.IsWellFormedId(model))
        {
            throw new ModelNotFoundException($"model: no model named '{Truncate(model)}'");
        }

        TimeSpan? ttl = null;
        if (first.TtlSeconds != 0)
        {
            var max = (int)sessions.Value.MaxTtl.TotalSeconds;
            if (first.TtlSeconds > max)
            {
                throw RequestRejectedException.Invalid("ttl_seconds", $"must be whole seconds in 1..{max.ToString(CultureInfo.InvariantCulture)}");
            }

            ttl = TimeSpan.FromSeconds(first.TtlSeconds);
        }

        // The upload is bounded in total by Api:MaxUploadBytes, checked as each chunk arrives.
        var maxBytes = api.Value.MaxUploadBytes;
        using var content = new MemoryStream();
        for (var message = first; message is not null; message = await call.ReadNextAsync(V1.OpenRequest.Parser).ConfigureAwait(false))
        {
            if (content.Length + message.Chunk.Length > maxBytes)
            {
                throw new RequestRejectedException(StatusCodes.Status413PayloadTooLarge, ErrorCodes.ImageTooLarge,
                    $"image: larger than the limit of {maxBytes} bytes");
            }

            message.Chunk.Span.CopyTo(GetSpan(content, message.Chunk.Length));
        }

        if (content.Length == 0)
        {
            throw RequestRejectedException.Invalid("chunk", "the upload is empty; send the image bytes in OpenRequest.chunk");
        }

        var upload = new ImageUpload(content.ToArray(), first.ContentType.Length == 0 ? null : first.ContentType);
        var id = SessionIds.New();
        var grain = Session(call, id);
        SessionIds.HintNewSession(id, model ?? sessions.Value.DefaultModel);
        var info = await grain.Open(upload, new OpenSessionOptions(model, ttl), call.Token).ConfigureAwait(false);
        await call.WriteAsync(GrpcConvert.Session(info)).ConfigureAwait(false);
    }

    private async Task GetInfoAsync(GrpcCall call)
    {
        var request = await call.ReadRequestAsync(V1.SessionRef.Parser).ConfigureAwait(false);
        var info = await Session(call, request.SessionId).GetInfo(call.Token).ConfigureAwait(false);
        await call.WriteAsync(GrpcConvert.Session(info)).ConfigureAwait(false);
    }

    private async Task SegmentAsync(GrpcCall call)
    {
        var request = await call.ReadRequestAsync(V1.SegmentRequest.Parser).ConfigureAwait(false);
        var grain = Session(call, request.SessionId);
        var prompt = PromptValidator.ToRequest(
            GrpcConvert.SegmentBody(request.Points, request.Box, request.Multimask, request.Refine, request.Dilate), sessions.Value, api.Value)
            with { Encodings = GrpcConvert.Encodings(request.Format) };
        var result = await grain.Segment(prompt, call.Token).ConfigureAwait(false);
        await call.WriteAsync(GrpcConvert.Segment(result, request.Format)).ConfigureAwait(false);
    }

    private async Task SelectSubjectAsync(GrpcCall call)
    {
        var request = await call.ReadRequestAsync(V1.SelectSubjectRequest.Parser).ConfigureAwait(false);
        var grain = Session(call, request.SessionId);
        var prompt = PromptValidator.ToRequest(new SelectSubjectBody { Dilate = request.Dilate }, sessions.Value);
        var result = await grain.SelectSubject(prompt, call.Token).ConfigureAwait(false);
        await call.WriteAsync(GrpcConvert.Segment(result, request.Format)).ConfigureAwait(false);
    }

    private async Task EraseAsync(GrpcCall call)
    {
        var request = await call.ReadRequestAsync(V1.EraseRequest.Parser).ConfigureAwait(false);
        var grain = Session(call, request.SessionId);
        var body = new EraseBody { Mask = null, Dilate = request.HasDilate ? request.Dilate : 15, Apply = !request.HasApply || request.Apply };
        var edit = PromptValidator.ToRequest(body, sessions.Value) with { MaskPng = MaskOrSelection(request.MaskPng) };
        var result = await grain.Erase(edit, call.Token).ConfigureAwait(false);
        await call.WriteAsync(GrpcConvert.Edit(result)).ConfigureAwait(false);
    }

    private async Task ReplaceAsync(GrpcCall call)
    {
        var request = await call.ReadRequestAsync(V1.ReplaceRequest.Parser).ConfigureAwait(false);
        var grain = Session(call, request.SessionId);
        var defaults = new ReplaceBody();
        var body = new ReplaceBody
        {
            Prompt = request.Prompt,
            Mask = null,
            Dilate = request.HasDilate ? request.Dilate : defaults.Dilate,
            Steps = request.HasSteps ? request.Steps : defaults.Steps,
            Guidance = request.HasGuidance ? request.Guidance : defaults.Guidance,
            Seed = request.HasSeed ? request.Seed : null,
            Apply = !request.HasApply || request.Apply,
        };
        var edit = PromptValidator.ToRequest(body, sessions.Value, api.Value) with { MaskPng = MaskOrSelection(request.MaskPng) };
        var result = await grain.Replace(edit, call.Token).ConfigureAwait(false);
        await call.WriteAsync(GrpcConvert.Edit(result)).ConfigureAwait(false);
    }

    private async Task UndoAsync(GrpcCall call)
    {
        var request = await call.ReadRequestAsync(V1.SessionRef.Parser).ConfigureAwait(false);
        var info = await Session(call, request.SessionId).Undo(call.Token).ConfigureAwait(false);
        await call.WriteAsync(GrpcConvert.Session(info)).ConfigureAwait(false);
    }

    private async Task RedoAsync(GrpcCall call)
    {
        var request = await call.ReadRequestAsync(V1.SessionRef.Parser).ConfigureAwait(false);
        var info = await Session(call, request.SessionId).Redo(call.Token).ConfigureAwait(false);
        await call.WriteAsync(GrpcConvert.Session(info)).ConfigureAwait(false);
    }

    private async Task GetImageAsync(GrpcCall call)
    {
        var request = await call.ReadRequestAsync(V1.GetImageRequest.Parser).ConfigureAwait(false);
        var encoding = request.Format switch
        {
            V1.ImageFormat.Png => ImageEncoding.Png,
            V1.ImageFormat.Jpeg => ImageEncoding.Jpeg,
            _ => throw RequestRejectedException.Invalid("format", "must be IMAGE_FORMAT_PNG or IMAGE_FORMAT_JPEG"),
        };
        var image = await Session(call, request.SessionId).GetImage(encoding, call.Token).ConfigureAwait(false);
        var chunkBytes = options.Value.ImageChunkBytes;
        var content = image.Content;
        for (var offset = 0; offset == 0 || offset < content.Length; offset += chunkBytes)
        {
            var length = Math.Min(chunkBytes, content.Length - offset);
            var chunk = new V1.ImageChunk { Data = ByteString.CopyFrom(content, offset, length) };
            if (offset == 0)
            {
                chunk.ContentType = image.ContentType;
                chunk.TotalBytes = content.Length;
            }

            await call.WriteAsync(chunk).ConfigureAwait(false);
        }
    }

    private async Task CloseAsync(GrpcCall call)
    {
        var request = await call.ReadRequestAsync(V1.SessionRef.Parser).ConfigureAwait(false);
        await Session(call, request.SessionId).Close(call.Token).ConfigureAwait(false);
        await call.WriteAsync(new V1.CloseReply()).ConfigureAwait(false);
    }

    /// <summary>The session grain, with the caller's tenant in the request context. Malformed ids cannot exist: NOT_FOUND.</summary>
    private ISessionGrain Session(GrpcCall call, string id)
    {
        if (!SessionIds.IsWellFormed(id))
        {
            throw new SessionNotFoundException($"session '{Truncate(id)}' does not exist");
        }

        CallContext.Set(CallContext.Tenant, TenantIdentity.Of(call.Http).Tenant);
        return grains.GetGrain<ISessionGrain>(id);
    }

    private static byte[]? MaskOrSelection(ByteString png) => png.IsEmpty ? null : png.ToByteArray();

    private static Span<byte> GetSpan(MemoryStream stream, int length)
    {
        var start = (int)stream.Length;
        stream.SetLength(start + length);
        stream.Position = start + length;
        return stream.GetBuffer().AsSpan(start, length);
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 64), "…");
}
