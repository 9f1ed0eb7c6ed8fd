using System.Runtime.CompilerServices;
using Grpc.Core;
using V1 = Atelier.Grpc.V1;

namespace Atelier.Client.Grpc;

/// <summary>
/// An <c>Interact</c> stream: <see cref="SendAsync"/> prompts as the pointer moves, <see cref="CompleteAsync"/> when the
/// drag ends, and read <see cref="ReadAllAsync"/>. The server answers the newest prompt and drops older waiting ones
/// (each update says how many). Disposing it before the server finished cancels the call (RST_STREAM).
/// </summary>
public sealed class InteractSession : IAsyncDisposable
{
    private readonly AsyncDuplexStreamingCall<V1.InteractRequest, V1.InteractReply> _call;
    private readonly string _sessionId;
    private readonly V1.MaskFormat _format;
    private readonly CancellationToken _callToken;
    private ulong _seq;

    internal InteractSession(AsyncDuplexStreamingCall<V1.InteractRequest, V1.InteractReply> call, string sessionId, V1.MaskFormat format, CancellationToken callToken)
    {
        _callToken = callToken;
        _call = call;
        _sessionId = sessionId;
        _format = format;
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
        try
        {
            await _call.RequestStream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw GrpcCallError.From(e, cancellationToken.IsCancellationRequested ? cancellationToken : _callToken);
        }

        return seq;
    }

    /// <summary>Half-closes the request side: no more prompts; the server answers the waiting one and ends the call.</summary>
    public async ValueTask CompleteAsync()
    {
        try
        {
            await _call.RequestStream.CompleteAsync().ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw GrpcCallError.From(e, _callToken);
        }
    }

    /// <summary>The updates until the server ends the call; a non-OK status throws <see cref="AtelierApiException"/>.</summary>
    public async IAsyncEnumerable<InteractUpdate> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            bool more;
            try
            {
                more = await _call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                throw GrpcCallError.From(e, cancellationToken.IsCancellationRequested ? cancellationToken : _callToken);
            }

            if (!more)
            {
                yield break;
            }

            var reply = _call.ResponseStream.Current;
            var result = reply.Result ?? new V1.SegmentReply();
            yield return new InteractUpdate(reply.Seq, (int)reply.Dropped, reply.DroppedTotal,
                GrpcClientConvert.Masks(result).Masks, result.MaskPng.IsEmpty ? null : result.MaskPng.ToByteArray(), result.ElapsedMs);
        }
    }

    public ValueTask DisposeAsync()
    {
        // Cancels the call when the server has not finished it (RST_STREAM); nothing to do otherwise.
        _call.Dispose();
        return ValueTask.CompletedTask;
    }
}
