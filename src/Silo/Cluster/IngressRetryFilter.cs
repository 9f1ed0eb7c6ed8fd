using System.Reflection;
using Atelier.Grains;
using Atelier.Silo.Hosting;
using Microsoft.Extensions.Options;

namespace Atelier.Silo.Cluster;

/// <summary>
/// The ingress silo's retry of session calls whose owner silo died or cannot be reached: until the cluster declares the
/// owner dead (about ProbeTimeout × MissedProbesLimit) a call fails fast with <see cref="OrleansMessageRejectionException"/>,
/// and a call in flight when it is declared dead fails with <see cref="SiloUnavailableException"/>; afterwards the next call
/// re-activates the session on a survivor from the store. A stale copy of a session (on a silo declared dead that still ran)
/// refuses to persist an edit with <see cref="SessionMovedException"/>; sent again, the call reaches the current owner.
/// A call is sent again, with backoff (100 ms doubling to 1 s), within <see cref="ClusterOptions.RetryBudget"/>, when sending it again has no further effect: any call that was rejected
/// before it ran, and a call broken in flight when it is repeatable — methods marked <see cref="IdempotentAttribute"/>
/// (reads, clicks) and edits carrying <see cref="CallContext.IdempotencyKey"/> (applied once per key, even across the
/// failover). Anything else fails at once (503). Calls made by grains are never retried here.
/// </summary>
internal sealed partial class IngressRetryFilter(IOptions<ClusterOptions> options, TimeProvider time, ILogger<IngressRetryFilter> logger)
    : IOutgoingGrainCallFilter
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(1);

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.SourceId is not null || context.InterfaceMethod?.DeclaringType != typeof(ISessionGrain))
        {
            await context.Invoke().ConfigureAwait(false);
            return;
        }

        var repeatable = IsRepeatable(context);
        var callerCancellation = context.Request.GetCancellationToken();

        var started = time.GetTimestamp();
        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            Exception? failure;
            try
            {
                await context.Invoke().ConfigureAwait(false);
                failure = context.Response?.Exception;
            }
            catch (Exception e) when (MaySendAgain(e, repeatable, callerCancellation))
            {
                failure = e;
            }

            if (failure is null || !MaySendAgain(failure, repeatable, callerCancellation) || time.GetElapsedTime(started) + delay > options.Value.RetryBudget)
            {
                if (failure is not null && context.Response?.Exception is null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
                }

                return;
            }

            LogRetry(logger, context.MethodName, context.TargetId, attempt, failure.GetType().Name);
            await Task.Delay(delay, time).ConfigureAwait(false);
            delay = delay * 2 < MaxDelay ? delay * 2 : MaxDelay;
        }
    }

    /// <summary>Whether sending the call twice has no further effect: <see cref="IdempotentAttribute"/> methods and keyed edits.</summary>
    private static bool IsRepeatable(IOutgoingGrainCallContext context) =>
        context.InterfaceMethod.GetCustomAttribute<IdempotentAttribute>() is not null || CallContext.Get(CallContext.IdempotencyKey) is not null;

    /// <summary>
    /// A call rejected before the session ran it (<see cref="OrleansMessageRejectionException"/>: the owner could not be
    /// reached) or refused by a stale copy (<see cref="SessionMovedException"/>) had no effect, so any call may go again
    /// (a new session's open too: it is placed again, on a silo that answers). So had a call that failed with
    /// <see cref="OperationCanceledException"/> although its caller did not cancel it: session code cancels only on the
    /// caller's token, so that is the runtime giving up on addressing it (a grain-directory lookup cancelled ten times
    /// while a dead silo's directory range moves to the survivors; Orleans rejects the call with that exception).
    /// A call broken in flight (<see cref="SiloUnavailableException"/>) may have run, so only a repeatable one goes again.
    /// </summary>
    private static bool MaySendAgain(Exception exception, bool repeatable, CancellationToken callerCancellation) =>
        exception is OrleansMessageRejectionException or SessionMovedException
        || (exception is OperationCanceledException && !callerCancellation.IsCancellationRequested)
        || (repeatable && exception is SiloUnavailableException);

    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "{Method} to {Grain}: owner unreachable (attempt {Attempt}, {Error}); retrying")]
    private static partial void LogRetry(ILogger logger, string method, GrainId grain, int attempt, string error);
}
