using System.Runtime.CompilerServices;
using V1 = Atelier.Grpc.V1;

namespace Atelier.Client.Grpc;

/// <summary>
/// An <c>Interact</c> stream: <see cref="SendAsync"/> prompts as the pointer moves, <see cref="CompleteAsync"/> when the
/// drag ends, and read <see cref="ReadAllAsync"/>. The server answers the newest prompt and drops older waiting ones
/// (each update says how many). Disposing it before the server finished cancels the call (RST_STREAM).
/// </summary>
public sealed class InteractSession : IAsyncDisposable
{
    private readonly GrpcInvoker _invoker;
    private readonly string _sessionId;
    private readonly V1.MaskFormat _format;
    private readonly StreamingContent _request;
    private readonly Task<HttpResponseMessage> _response;
    private readonly CancellationTokenSource _cancel;
    private ulong _seq;

    internal InteractSession(GrpcInvoker invoker, string sessionId, V1.MaskFormat format, StreamingContent request, Task<HttpResponseMessage> response, CancellationTokenSource cancel)
    {
        _invoker = invoker;
        _sessionId = sessionId;
        _format = format;
        _request = request;
        _response = response;
        _cancel = cancel;
    }

    /// <summary>Sends a prompt; returns its sequence number (1, 2, …), echoed by the update that answers it.</summary>
    public async ValueTask<ulong> SendAsync(SegmentPrompt prompt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var seq = ++_seq;
        var message = new V1.InteractRequest
        {
            SessionId = seq == 1 ? _sessionId : "",
            Seq = seq,
            Multimask = prompt.Multimask,
            Dilate = prompt.Dilate,
            Format = _format,
        };
        GrpcClientConvert.AddPrompt(message.Points, prompt, out var box);
        message.Box = box;
        await _request.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        return seq;
    }

    /// <summary>Half-closes the request side: no more prompts; the server answers the waiting one and ends the call.</summary>
    public ValueTask CompleteAsync()
    {
        _request.Complete();
        return ValueTask.CompletedTask;
    }

    /// <summary>The updates until the server ends the call; a non-OK status throws <see cref="AtelierApiException"/>.</summary>
    public async IAsyncEnumerable<InteractUpdate> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _cancel.Token);
        var response = await _response.WaitAsync(linked.Token).ConfigureAwait(false);
        var reader = await _invoker.ReaderAsync(response, linked.Token).ConfigureAwait(false);
        while (await reader.ReadAsync(V1.InteractReply.Parser, linked.Token).ConfigureAwait(false) is { } reply)
        {
            var result = reply.Result ?? new V1.SegmentReply();
            yield return new InteractUpdate(reply.Seq, (int)reply.Dropped, reply.DroppedTotal,
                GrpcClientConvert.Masks(result).Masks, result.MaskPng.IsEmpty ? null : result.MaskPng.ToByteArray(), result.ElapsedMs);
        }

        GrpcCallError.ThrowIfFailed(response);
    }

    public async ValueTask DisposeAsync()
    {
        _request.Complete();
        await _cancel.CancelAsync().ConfigureAwait(false);
        try
        {
            using var response = await _response.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException or AtelierApiException)
        {
            // The call was already over or never started: nothing to release.
        }

        _cancel.Dispose();
    }
}
