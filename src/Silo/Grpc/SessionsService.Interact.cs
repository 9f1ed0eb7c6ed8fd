using System.Threading.Channels;
using Atelier.Grains;
using Atelier.Silo.Endpoints;
using Atelier.Silo.Errors;
using Grpc.Core;
using V1 = Atelier.Grpc.V1;

namespace Atelier.Silo.Grpc;

internal sealed partial class SessionsService
{
    /// <summary>
    /// Bidirectional drag interaction. The request side is read as fast as it arrives and validated message by
    /// message; prompts wait in a one-slot channel that drops the older prompt when a newer one arrives, so the
    /// decoder always answers the newest and a slow decoder never builds a backlog. Each reply says how many
    /// prompts were dropped since the previous reply. When the client half-closes, the waiting prompt (if any) is
    /// still answered, then the call ends OK.
    /// </summary>
    public override async Task Interact(IAsyncStreamReader<V1.InteractRequest> requestStream, IServerStreamWriter<V1.InteractReply> responseStream, ServerCallContext context)
    {
        var dropped = 0L;
        var slot = Channel.CreateBounded<Prompt>(
            new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true },
            _ => Interlocked.Increment(ref dropped));

        // Replies go out as soon as the stream opens, so clients see the response headers before the first mask.
        if (!context.GetHttpContext().Response.HasStarted)
        {
            await context.WriteResponseHeadersAsync([]).ConfigureAwait(false);
        }

        var prompts = new RequestStream<V1.InteractRequest>(requestStream, options.Value.MaxStreamMessages);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        string? sessionId = null;
        var worker = Task.CompletedTask;
        try
        {
            while (await prompts.ReadNextAsync(stop.Token).ConfigureAwait(false) is { } message)
            {
                if (sessionId is null)
                {
                    sessionId = message.SessionId;
                    var grain = Session(context, sessionId);
                    worker = AnswerAsync(grain, responseStream, slot.Reader, () => Interlocked.Exchange(ref dropped, 0), stop);
                }
                else if (message.SessionId.Length > 0 && message.SessionId != sessionId)
                {
                    throw RequestRejectedException.Invalid("session_id", "one Interact stream serves one session");
                }

                var request = PromptValidator.ToRequest(
                    GrpcConvert.SegmentBody(message.Points, message.Box, message.Multimask, refine: false, message.Dilate), sessions.Value, api.Value)
                    with { Encodings = GrpcConvert.Encodings(message.Format) };
                slot.Writer.TryWrite(new Prompt(message.Seq, request, message.Format));
            }
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAny(worker).ConfigureAwait(false);
            if (worker.IsFaulted && worker.Exception.InnerException is not OperationCanceledException)
            {
                // The decoder side failed first (and cancelled the reads): its error is the call's status.
                await worker.ConfigureAwait(false);
            }

            throw;
        }
        finally
        {
            slot.Writer.TryComplete();
        }

        await worker.ConfigureAwait(false);
    }

    private async Task AnswerAsync(ISessionGrain grain, IServerStreamWriter<V1.InteractReply> responses, ChannelReader<Prompt> prompts,
        Func<long> takeDropped, CancellationTokenSource stop)
    {
        // Yield first so the reader loop keeps reading while the first prompt is decoded.
        await Task.Yield();
        var droppedTotal = 0UL;
        try
        {
            await foreach (var prompt in prompts.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                var result = await grain.Segment(prompt.Request, stop.Token).ConfigureAwait(false);
                var dropped = takeDropped();
                droppedTotal += (ulong)dropped;
                tracker.Dropped(dropped);
                await responses.WriteAsync(new V1.InteractReply
                {
                    Seq = prompt.Seq,
                    Dropped = (uint)dropped,
                    DroppedTotal = droppedTotal,
                    Result = GrpcConvert.Segment(result, prompt.Format),
                }, stop.Token).ConfigureAwait(false);
            }
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private sealed record Prompt(ulong Seq, SegmentRequest Request, V1.MaskFormat Format);
}
