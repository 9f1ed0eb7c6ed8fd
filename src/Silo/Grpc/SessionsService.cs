using System.Globalization;
using Atelier.Grains;
using Atelier.Silo.Endpoints;
using Atelier.Silo.Errors;
using Atelier.Silo.Security;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;
using SessionOptions = Atelier.Grains.SessionOptions;
using V1 = Atelier.Grpc.V1;

namespace Atelier.Silo.Grpc;

/// <summary>
/// <c>atelier.v1.Sessions</c> on its generated base: the session calls of <c>/v1/sessions</c> over gRPC, calling the
/// same grains with the same validation (<see cref="PromptValidator"/>) and tenant isolation as the HTTP endpoints.
/// Errors are typed exceptions, mapped by <see cref="GrpcCallInterceptor"/>; every grain call gets the call's
/// cancellation (client reset or deadline).
/// </summary>
internal sealed partial class SessionsService(
    IGrainFactory grains,
    IOptions<ApiOptions> api,
    IOptions<SessionOptions> sessions,
    IOptions<GrpcOptions> options,
    GrpcCallTracker tracker) : V1.Sessions.SessionsBase
{
    public const string ServiceName = "atelier.v1.Sessions";

    public override async Task<V1.SessionInfo> Open(IAsyncStreamReader<V1.OpenRequest> requestStream, ServerCallContext context)
    {
        var stream = new RequestStream<V1.OpenRequest>(requestStream, options.Value.MaxStreamMessages);
        var first = await stream.ReadNextAsync(context.CancellationToken).ConfigureAwait(false)
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
        for (var message = first; message is not null; message = await stream.ReadNextAsync(context.CancellationToken).ConfigureAwait(false))
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
        var grain = Session(context, id);
        SessionIds.HintNewSession(id, model ?? sessions.Value.DefaultModel);
        var info = await grain.Open(upload, new OpenSessionOptions(model, ttl), context.CancellationToken).ConfigureAwait(false);
        return GrpcConvert.Session(info);
    }

    public override async Task<V1.SessionInfo> GetInfo(V1.SessionRef request, ServerCallContext context) =>
        GrpcConvert.Session(await Session(context, request.SessionId).GetInfo(context.CancellationToken).ConfigureAwait(false));

    public override async Task<V1.SegmentReply> Segment(V1.SegmentRequest request, ServerCallContext context)
    {
        var grain = Session(context, request.SessionId);
        var prompt = PromptValidator.ToRequest(
            GrpcConvert.SegmentBody(request.Points, request.Box, request.Multimask, request.Refine, request.Dilate), sessions.Value, api.Value)
            with { Encodings = GrpcConvert.Encodings(request.Format) };
        var result = await grain.Segment(prompt, context.CancellationToken).ConfigureAwait(false);
        return GrpcConvert.Segment(result, request.Format);
    }

    public override async Task<V1.SegmentReply> SelectSubject(V1.SelectSubjectRequest request, ServerCallContext context)
    {
        var grain = Session(context, request.SessionId);
        var prompt = PromptValidator.ToRequest(new SelectSubjectBody { Dilate = request.Dilate }, sessions.Value);
        var result = await grain.SelectSubject(prompt, context.CancellationToken).ConfigureAwait(false);
        return GrpcConvert.Segment(result, request.Format);
    }

    public override async Task<V1.EditReply> Erase(V1.EraseRequest request, ServerCallContext context)
    {
        var grain = Session(context, request.SessionId);
        var body = new EraseBody { Mask = null, Dilate = request.HasDilate ? request.Dilate : 15, Apply = !request.HasApply || request.Apply };
        var edit = PromptValidator.ToRequest(body, sessions.Value) with { MaskPng = MaskOrSelection(request.MaskPng) };
        var result = await grain.Erase(edit, context.CancellationToken).ConfigureAwait(false);
        return GrpcConvert.Edit(result);
    }

    public override async Task<V1.EditReply> Replace(V1.ReplaceRequest request, ServerCallContext context)
    {
        var grain = Session(context, request.SessionId);
        var result = await grain.Replace(ReplaceEdit(request), context.CancellationToken).ConfigureAwait(false);
        return GrpcConvert.Edit(result);
    }

    /// <summary>
    /// <see cref="Replace"/> with progress: a <c>progress</c> event per denoising step, then the <c>result</c>. A client
    /// cancel or deadline stops the run between steps and leaves the session unchanged.
    /// </summary>
    public override async Task ReplaceStream(V1.ReplaceRequest request, IServerStreamWriter<V1.ReplaceEvent> responseStream, ServerCallContext context)
    {
        var grain = Session(context, request.SessionId);
        var edit = ReplaceEdit(request);
        await foreach (var update in Atelier.Grains.ReplaceStream.RunAsync(grains, grain, edit, context.CancellationToken).ConfigureAwait(false))
        {
            var message = update switch
            {
                { Progress: { } step } => new V1.ReplaceEvent { Progress = new V1.ReplaceStep { Step = step.Step, Steps = step.Steps } },
                { Result: { } result } => new V1.ReplaceEvent { Result = GrpcConvert.Edit(result) },
                _ => null,
            };
            if (message is not null)
            {
                await responseStream.WriteAsync(message, context.CancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The replace request as the HTTP endpoint validates it (same defaults and bounds).</summary>
    private ReplaceRequest ReplaceEdit(V1.ReplaceRequest request)
    {
        var defaults = new ReplaceBody();
        var body = new ReplaceBody
        {
            Prompt = request.Prompt,
            NegativePrompt = request.HasNegativePrompt ? request.NegativePrompt : null,
            Mask = null,
            Dilate = request.HasDilate ? request.Dilate : defaults.Dilate,
            Steps = request.HasSteps ? request.Steps : defaults.Steps,
            Guidance = request.HasGuidance ? request.Guidance : defaults.Guidance,
            Seed = request.HasSeed ? request.Seed : null,
            Apply = !request.HasApply || request.Apply,
        };
        return PromptValidator.ToRequest(body, sessions.Value, api.Value) with { MaskPng = MaskOrSelection(request.MaskPng) };
    }

    public override async Task<V1.SessionInfo> Undo(V1.SessionRef request, ServerCallContext context) =>
        GrpcConvert.Session(await Session(context, request.SessionId).Undo(context.CancellationToken).ConfigureAwait(false));

    public override async Task<V1.SessionInfo> Redo(V1.SessionRef request, ServerCallContext context) =>
        GrpcConvert.Session(await Session(context, request.SessionId).Redo(context.CancellationToken).ConfigureAwait(false));

    public override async Task GetImage(V1.GetImageRequest request, IServerStreamWriter<V1.ImageChunk> responseStream, ServerCallContext context)
    {
        var encoding = request.Format switch
        {
            V1.ImageFormat.Png => ImageEncoding.Png,
            V1.ImageFormat.Jpeg => ImageEncoding.Jpeg,
            _ => throw RequestRejectedException.Invalid("format", "must be IMAGE_FORMAT_PNG or IMAGE_FORMAT_JPEG"),
        };
        var image = await Session(context, request.SessionId).GetImage(encoding, context.CancellationToken).ConfigureAwait(false);
        var chunkBytes = options.Value.ImageChunkBytes;
        var content = image.Content;
        for (var offset = 0; offset == 0 || offset < content.Length; offset += chunkBytes)
        {
            var length = Math.Min(chunkBytes, content.Length - offset);
            var chunk = new V1.ImageChunk { Data = UnsafeByteOperations.UnsafeWrap(content.AsMemory(offset, length)) };
            if (offset == 0)
            {
                chunk.ContentType = image.ContentType;
                chunk.TotalBytes = content.Length;
            }

            await responseStream.WriteAsync(chunk, context.CancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task<V1.CloseReply> Close(V1.SessionRef request, ServerCallContext context)
    {
        var grain = Session(context, request.SessionId);
        await grain.CancelReplace(context.CancellationToken).ConfigureAwait(false); // a running replace stops instead of delaying the close
        await grain.Close(context.CancellationToken).ConfigureAwait(false);
        return new V1.CloseReply();
    }

    /// <summary>A client stream read message by message, refused past <see cref="GrpcOptions.MaxStreamMessages"/>.</summary>
    private sealed class RequestStream<T>(IAsyncStreamReader<T> stream, int maxMessages)
        where T : class
    {
        private long _read;

        /// <summary>The next message, or null at the end of the stream.</summary>
        public async ValueTask<T?> ReadNextAsync(CancellationToken cancellationToken)
        {
            if (!await stream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            return ++_read > maxMessages
                ? throw GrpcErrors.Create(StatusCode.ResourceExhausted, $"more than {maxMessages} messages on one stream (Grpc:MaxStreamMessages)",
                    ErrorCodes.PayloadTooLarge, StatusCodes.Status413PayloadTooLarge)
                : stream.Current;
        }
    }

    /// <summary>The session grain, with the caller's tenant in the request context. Malformed ids cannot exist: NOT_FOUND.</summary>
    private ISessionGrain Session(ServerCallContext context, string id)
    {
        if (!SessionIds.IsWellFormed(id))
        {
            throw new SessionNotFoundException($"session '{Truncate(id)}' does not exist");
        }

        CallContext.Set(CallContext.Tenant, TenantIdentity.Of(context.GetHttpContext()).Tenant);
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
