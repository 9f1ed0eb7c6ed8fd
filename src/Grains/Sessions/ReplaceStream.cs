using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Atelier.Grains;

/// <summary>One event of a replace in progress: a step report, or (last) the result.</summary>
/// <param name="Progress">Steps done of the total; null on the result.</param>
/// <param name="Result">The finished edit; null on a step report.</param>
public readonly record struct ReplaceUpdate(ReplaceProgress? Progress, EditResult? Result);

/// <summary>
/// A replace as an <see cref="IAsyncEnumerable{T}"/>: a step report per denoising step, then the result. Front ends
/// consume it — HTTP as Server-Sent Events, a gRPC server stream — without knowing about observers: it makes an
/// observer object reference on the calling silo, calls <see cref="ISessionGrain.ReplaceObserved"/> and forwards what the
/// session reports. An error of the call (404, 501, 400, cancellation …) is thrown from the enumeration after the
/// reports that came before it. Cancelling the token cancels the session's run (nothing of the session changes).
/// </summary>
public static class ReplaceStream
{
    public static async IAsyncEnumerable<ReplaceUpdate> RunAsync(
        IGrainFactory grains, ISessionGrain session, ReplaceRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(session);
        var observer = new ChannelObserver();
        var reference = grains.CreateObjectReference<IReplaceObserver>(observer);
        try
        {
            var call = session.ReplaceObserved(request, reference, cancellationToken);
            _ = call.ContinueWith(static (_, state) => ((ChannelObserver)state!).Updates.Writer.TryComplete(), observer, CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            await foreach (var step in observer.Updates.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                yield return new ReplaceUpdate(step, null);
            }

            yield return new ReplaceUpdate(null, await call.ConfigureAwait(false));
        }
        finally
        {
            grains.DeleteObjectReference<IReplaceObserver>(reference);
            GC.KeepAlive(observer); // Orleans holds observers weakly: keep it alive for the whole call
        }
    }

    private sealed class ChannelObserver : IReplaceObserver
    {
        public Channel<ReplaceProgress> Updates { get; } = Channel.CreateUnbounded<ReplaceProgress>(new UnboundedChannelOptions { SingleReader = true });

        public Task OnProgress(ReplaceProgress progress)
        {
            Updates.Writer.TryWrite(progress);
            return Task.CompletedTask;
        }
    }
}
