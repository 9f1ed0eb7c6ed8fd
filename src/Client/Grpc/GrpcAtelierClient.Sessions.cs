using Google.Protobuf;
using Grpc.Core;
using V1 = Atelier.Grpc.V1;

namespace Atelier.Client.Grpc;

public sealed partial class GrpcAtelierClient
{
    /// <summary>Opens a session, streaming the image in <see cref="GrpcClientOptions.UploadChunkBytes"/> chunks (client-streaming <c>Open</c>).</summary>
    public async Task<SessionInfo> OpenSessionAsync(Stream image, string? contentType, string? model = null, int? ttlSeconds = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        // Disposing the call abandons it (RST_STREAM) whatever went wrong on this side.
        using var call = _sessions.Open(Options(cancellationToken));
        try
        {
            var buffer = new byte[_options.UploadChunkBytes];
            var first = true;
            int read;
            while ((read = await image.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0 || first)
            {
                var message = new V1.OpenRequest { Chunk = ByteString.CopyFrom(buffer, 0, read) };
                if (first)
                {
                    message.Model = model ?? "";
                    message.TtlSeconds = (uint)Math.Max(0, ttlSeconds ?? 0);
                    message.ContentType = contentType ?? "";
                    first = false;
                }

                // When the server has already ended the call (e.g. the upload is over its limit), this throws its status.
                await call.RequestStream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }
            }

            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            return GrpcClientConvert.Session(await call.ResponseAsync.ConfigureAwait(false));
        }
        catch (RpcException e)
        {
            throw GrpcCallError.From(e, cancellationToken);
        }
    }

    public async Task<SessionInfo> OpenSessionAsync(string path, string? model = null, int? ttlSeconds = null, CancellationToken cancellationToken = default)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            return await OpenSessionAsync(file, AtelierClient.MediaTypeOf(path), model, ttlSeconds, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<SessionInfo> GetSessionAsync(string id, CancellationToken cancellationToken = default) =>
        GrpcClientConvert.Session(await UnaryAsync(_sessions.GetInfoAsync(Ref(id), Options(cancellationToken)), cancellationToken).ConfigureAwait(false));

    public async Task<MaskImage> SegmentAsync(string id, SegmentPrompt prompt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var reply = await UnaryAsync(_sessions.SegmentAsync(GrpcClientConvert.Segment(id, prompt, V1.MaskFormat.Png), Options(cancellationToken)), cancellationToken).ConfigureAwait(false);
        return GrpcClientConvert.MaskImage(reply);
    }

    public async Task<SegmentResult> SegmentJsonAsync(string id, SegmentPrompt prompt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var reply = await UnaryAsync(_sessions.SegmentAsync(GrpcClientConvert.Segment(id, prompt, V1.MaskFormat.Rle), Options(cancellationToken)), cancellationToken).ConfigureAwait(false);
        return GrpcClientConvert.Masks(reply);
    }

    public async Task<MaskImage> SelectSubjectAsync(string id, int dilate = 0, CancellationToken cancellationToken = default)
    {
        var request = new V1.SelectSubjectRequest { SessionId = id, Dilate = dilate, Format = V1.MaskFormat.Png };
        return GrpcClientConvert.MaskImage(await UnaryAsync(_sessions.SelectSubjectAsync(request, Options(cancellationToken)), cancellationToken).ConfigureAwait(false));
    }

    public async Task<SegmentResult> SelectSubjectJsonAsync(string id, int dilate = 0, CancellationToken cancellationToken = default)
    {
        var request = new V1.SelectSubjectRequest { SessionId = id, Dilate = dilate, Format = V1.MaskFormat.Rle };
        return GrpcClientConvert.Masks(await UnaryAsync(_sessions.SelectSubjectAsync(request, Options(cancellationToken)), cancellationToken).ConfigureAwait(false));
    }

    public async Task<byte[]> EraseAsync(string id, EraseOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EraseOptions();
        var request = new V1.EraseRequest { SessionId = id, Dilate = options.Dilate, Apply = options.Apply };
        if (options.MaskPng is { } mask)
        {
            request.MaskPng = ByteString.CopyFrom(mask);
        }

        var reply = await UnaryAsync(_sessions.EraseAsync(request, Options(cancellationToken)), cancellationToken).ConfigureAwait(false);
        return reply.ImagePng.ToByteArray();
    }

    public async Task<byte[]> ReplaceAsync(string id, ReplaceOptions options, CancellationToken cancellationToken = default)
    {
        var reply = await UnaryAsync(_sessions.ReplaceAsync(ReplaceRequest(id, options), Options(cancellationToken)), cancellationToken).ConfigureAwait(false);
        return reply.ImagePng.ToByteArray();
    }

    /// <summary>
    /// Replaces with step progress (server-streaming <c>ReplaceStream</c>): every step is reported to
    /// <paramref name="progress"/>, then the result is answered. Cancelling stops the server's run and leaves the session unchanged.
    /// </summary>
    public async Task<ReplaceResult> ReplaceAsync(string id, ReplaceOptions options, IProgress<ReplaceProgress>? progress, CancellationToken cancellationToken = default)
    {
        using var call = _sessions.ReplaceStream(ReplaceRequest(id, options), Options(cancellationToken));
        try
        {
            while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                var message = call.ResponseStream.Current;
                if (message.Progress is { } step)
                {
                    progress?.Report(new ReplaceProgress(step.Step, step.Steps));
                }
                else if (message.Result is { } result)
                {
                    return new ReplaceResult(result.ImagePng.ToByteArray(), GrpcClientConvert.Session(result.Session));
                }
            }
        }
        catch (RpcException e)
        {
            throw GrpcCallError.From(e, cancellationToken);
        }

        throw new AtelierApiException("The replace stream ended without a result.");
    }

    private static V1.ReplaceRequest ReplaceRequest(string id, ReplaceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var request = new V1.ReplaceRequest
        {
            SessionId = id,
            Prompt = options.Prompt,
            Dilate = options.Dilate,
            Steps = options.Steps,
            Guidance = options.Guidance,
            Apply = options.Apply,
        };
        if (options.Seed is { } seed)
        {
            request.Seed = seed;
        }

        if (options.MaskPng is { } mask)
        {
            request.MaskPng = ByteString.CopyFrom(mask);
        }

        if (options.NegativePrompt is { } negative)
        {
            request.NegativePrompt = negative;
        }

        return request;
    }

    public async Task<SessionInfo> UndoAsync(string id, CancellationToken cancellationToken = default) =>
        GrpcClientConvert.Session(await UnaryAsync(_sessions.UndoAsync(Ref(id), Options(cancellationToken)), cancellationToken).ConfigureAwait(false));

    public async Task<SessionInfo> RedoAsync(string id, CancellationToken cancellationToken = default) =>
        GrpcClientConvert.Session(await UnaryAsync(_sessions.RedoAsync(Ref(id), Options(cancellationToken)), cancellationToken).ConfigureAwait(false));

    public async Task<byte[]> GetImageAsync(string id, ImageFormat format = ImageFormat.Png, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await DownloadImageAsync(id, buffer, format, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    /// <summary>Streams the current image version into <paramref name="destination"/> chunk by chunk (server-streaming <c>GetImage</c>).</summary>
    public async Task DownloadImageAsync(string id, Stream destination, ImageFormat format = ImageFormat.Png, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var request = new V1.GetImageRequest { SessionId = id, Format = format == ImageFormat.Jpeg ? V1.ImageFormat.Jpeg : V1.ImageFormat.Png };
        using var call = _sessions.GetImage(request, Options(cancellationToken));
        try
        {
            while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                await destination.WriteAsync(call.ResponseStream.Current.Data.Memory, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RpcException e)
        {
            throw GrpcCallError.From(e, cancellationToken);
        }
    }

    public async Task CloseSessionAsync(string id, CancellationToken cancellationToken = default) =>
        await UnaryAsync(_sessions.CloseAsync(Ref(id), Options(cancellationToken)), cancellationToken).ConfigureAwait(false);

    /// <summary>Opens an <c>Interact</c> stream on session <paramref name="id"/>: send prompts as the pointer moves, read masks.</summary>
    /// <param name="rle">Answer masks as COCO RLE (true) or the best mask as PNG (false).</param>
    public InteractSession InteractAsync(string id, bool rle = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return new InteractSession(_sessions.Interact(Options(cancellationToken)), id, rle ? V1.MaskFormat.Rle : V1.MaskFormat.Png, cancellationToken);
    }

    private static V1.SessionRef Ref(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return new V1.SessionRef { SessionId = id };
    }
}
