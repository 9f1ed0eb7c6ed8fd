using System.Globalization;
using Atelier.Grains;
using Atelier.Grains.Hosting;
using Atelier.Silo.Errors;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Atelier.Silo.Grpc;

/// <summary>
/// The outermost interceptor of every gRPC service of the silo (Atelier's, health, reflection, any added later):
/// <list type="bullet">
/// <item>counts the call in <see cref="GrpcCallTracker"/>;</item>
/// <item>refuses a malformed <c>grpc-timeout</c> (INTERNAL) and one under a millisecond (DEADLINE_EXCEEDED before any
/// grain runs); Grpc.AspNetCore would ignore both, and enforces every other deadline itself;</item>
/// <item>answers gzip with gzip: a call whose request messages are gzip-compressed gets gzip-compressed responses (PNG
/// masks and images gain nothing from it, so other calls are answered uncompressed);</item>
/// <item>maps errors through <see cref="GrpcErrors"/> (the HTTP API's table) and names the silo that executed the call
/// in <c>x-atelier-silo</c> (header when the response has not started, else trailer); unexpected errors are logged
/// and answered INTERNAL with the trace id.</item>
/// </list>
/// </summary>
internal sealed partial class GrpcCallInterceptor(GrpcCallTracker tracker, SiloIdentity silo, ILogger<GrpcCallInterceptor> logger) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation) =>
        RunAsync(context, () => continuation(request, context));

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
        RunAsync(context, () => continuation(requestStream, context));

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        RunAsync(context, async () =>
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
            return true;
        });

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        RunAsync(context, async () =>
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
            return true;
        });

    private async Task<T> RunAsync<T>(ServerCallContext context, Func<Task<T>> handler)
    {
        tracker.Started();
        try
        {
            CheckTimeout(context);
            if (string.Equals(context.GetHttpContext().Request.Headers["grpc-encoding"].ToString(), "gzip", StringComparison.OrdinalIgnoreCase))
            {
                await context.WriteResponseHeadersAsync(new Metadata { { GrpcMetadata.ResponseEncodingRequest, "gzip" } }).ConfigureAwait(false);
            }

            return await handler().ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(context, e) is { } failure)
        {
            throw failure;
        }
        finally
        {
            tracker.Finished();
        }
    }

    /// <summary>The exception to end the call with, or null to let the original one through.</summary>
    private RpcException? Translate(ServerCallContext context, Exception exception)
    {
        var http = context.GetHttpContext();
        if (http.RequestAborted.IsCancellationRequested)
        {
            // The client reset the stream: there is no one to answer.
            LogCancelled(logger, context.Method, exception.GetType().Name);
            return null;
        }

        if (context.CancellationToken.IsCancellationRequested && context.Deadline <= DateTime.UtcNow)
        {
            // Whatever was under way when the deadline passed, the caller has given up (Grpc.AspNetCore has already
            // answered DEADLINE_EXCEEDED).
            LogDeadline(logger, context.Method, exception.GetType().Name);
            return new RpcException(new Status(StatusCode.DeadlineExceeded, "the deadline (grpc-timeout) passed"));
        }

        if (exception is RpcException rpc)
        {
            // Ours carry their code already; Grpc.AspNetCore's (an oversize or malformed message) get the code and
            // HTTP status clients map them by.
            return Named(http, rpc.Trailers.Get(GrpcMetadata.Code) is null ? WithCode(rpc) : rpc, silo.Name);
        }

        if (GrpcErrors.Map(exception) is { } failure)
        {
            LogFailed(logger, context.Method, failure.StatusCode, failure.Trailers.GetValue(GrpcMetadata.Code) ?? "-");
            return Named(http, failure, (exception as AtelierException)?.Silo ?? silo.Name);
        }

        LogUnhandled(logger, exception, context.Method);
        return Named(http, GrpcErrors.Create(StatusCode.Internal,
            "An unexpected error occurred. Quote the trace id when reporting it: " + http.TraceIdentifier, ErrorCodes.InternalError, 500), silo.Name);
    }

    /// <summary>
    /// A call that failed in a grain on another silo (the session's owner, reached by forwarding) names that silo, as
    /// <c>X-Atelier-Silo</c> does on the HTTP API: in the response headers when they have not gone out yet (a
    /// trailers-only answer, whose headers are its trailers), otherwise in the trailers.
    /// </summary>
    private static RpcException Named(HttpContext http, RpcException failure, string executing)
    {
        if (!http.Response.HasStarted)
        {
            http.Response.Headers[GrpcMetadata.Silo] = executing;
        }
        else if (failure.Trailers.Get(GrpcMetadata.Silo) is null)
        {
            failure.Trailers.Add(GrpcMetadata.Silo, executing);
        }

        return failure;
    }

    private static RpcException WithCode(RpcException rpc)
    {
        var (code, httpStatus) = rpc.StatusCode switch
        {
            StatusCode.ResourceExhausted => (ErrorCodes.PayloadTooLarge, 413),
            StatusCode.InvalidArgument => (ErrorCodes.InvalidRequest, 400),
            StatusCode.Unauthenticated => (ErrorCodes.Unauthorized, 401),
            StatusCode.PermissionDenied => ((string?)null, 403),
            StatusCode.NotFound => (null, 404),
            StatusCode.FailedPrecondition => (null, 409),
            StatusCode.Unimplemented => (null, 501),
            StatusCode.Unavailable => (null, 503),
            StatusCode.DeadlineExceeded => (null, 504),
            _ => (null, 500),
        };
        var failure = GrpcErrors.Create(rpc.StatusCode, rpc.Status.Detail, code, httpStatus);
        foreach (var entry in rpc.Trailers)
        {
            failure.Trailers.Add(entry);
        }

        return failure;
    }

    /// <summary>
    /// Grpc.AspNetCore ignores a <c>grpc-timeout</c> it cannot read, and one that rounds to zero; the silo refuses the
    /// first (INTERNAL) and treats a deadline under a millisecond as already expired (no grain is called).
    /// </summary>
    private static void CheckTimeout(ServerCallContext context)
    {
        var header = context.GetHttpContext().Request.Headers["grpc-timeout"].ToString();
        if (header.Length == 0)
        {
            return;
        }

        if (!TryParseTimeout(header, out var timeout))
        {
            throw new RpcException(new Status(StatusCode.Internal, $"malformed grpc-timeout '{(header.Length > 16 ? header[..16] : header)}'"));
        }

        if (timeout < TimeSpan.FromMilliseconds(1))
        {
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, "the deadline (grpc-timeout) passed"));
        }
    }

    /// <summary>The gRPC protocol's <c>TimeoutValue TimeoutUnit</c>: 1..8 ASCII digits then one of H M S m u n.</summary>
    internal static bool TryParseTimeout(string header, out TimeSpan timeout)
    {
        timeout = default;
        if (header.Length is < 2 or > 9 || !long.TryParse(header.AsSpan(0, header.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        double? ticks = header[^1] switch
        {
            'H' => value * (double)TimeSpan.TicksPerHour,
            'M' => value * (double)TimeSpan.TicksPerMinute,
            'S' => value * (double)TimeSpan.TicksPerSecond,
            'm' => value * (double)TimeSpan.TicksPerMillisecond,
            'u' => value * 10d,
            'n' => value / 100d,
            _ => null,
        };
        if (ticks is not { } t)
        {
            return false;
        }

        timeout = TimeSpan.FromTicks((long)Math.Min(t, TimeSpan.MaxValue.Ticks));
        return true;
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "gRPC {Method} failed: {Status} ({Code})")]
    private static partial void LogFailed(ILogger logger, string method, StatusCode status, string code);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "gRPC {Method} passed its deadline ({Exception})")]
    private static partial void LogDeadline(ILogger logger, string method, string exception);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Debug, Message = "gRPC {Method} cancelled by the client ({Exception})")]
    private static partial void LogCancelled(ILogger logger, string method, string exception);

    [LoggerMessage(EventId = 1299, Level = LogLevel.Error, Message = "Unhandled exception in gRPC {Method}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method);
}
