using System.Globalization;
using Atelier.Grains.Hosting;
using Atelier.Grpc;
using Atelier.Grains;
using Atelier.Silo.Errors;
using Atelier.Silo.Security;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Options;

namespace Atelier.Silo.Grpc;

/// <summary>
/// Runs a gRPC call on an ASP.NET Core request: checks the protocol, content type, encoding, deadline and API key,
/// runs the handler, and ends the response with <c>grpc-status</c> / <c>grpc-message</c> trailers (HTTP status is
/// always 200 once the request is gRPC). Errors map through <see cref="GrpcStatusMapping"/>.
/// </summary>
internal sealed partial class GrpcServer(
    IOptions<GrpcOptions> options,
    ApiKeyStore keys,
    TenantRateLimiter limiter,
    GrpcCallTracker tracker,
    SiloIdentity silo,
    ILogger<GrpcServer> logger)
{
    /// <summary>Largest deadline honoured; longer ones (up to 99999999 hours) mean "no deadline".</summary>
    private static readonly TimeSpan MaxDeadline = TimeSpan.FromDays(30);

    /// <param name="authenticate">Whether the call needs an API key (the health service does not).</param>
    /// <param name="streaming">Long-lived streams drop Kestrel's minimum request data rate (prompts come when the pointer moves).</param>
    public async Task RunAsync(HttpContext http, string method, bool authenticate, bool streaming, Func<GrpcCall, Task> handler)
    {
        if (!HttpProtocol.IsHttp2(http.Request.Protocol))
        {
            await Problems.WriteAsync(http, StatusCodes.Status426UpgradeRequired, ErrorCodes.InvalidRequest, "HTTP/2 required",
                "gRPC needs HTTP/2: connect to the gRPC port with prior knowledge (h2c).").ConfigureAwait(false);
            return;
        }

        if (!GrpcProtocol.IsGrpcContentType(http.Request.ContentType))
        {
            await Problems.WriteAsync(http, StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType, "Unsupported media type",
                "Content-Type: a gRPC request must be application/grpc.").ConfigureAwait(false);
            return;
        }

        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.SupportedEncodings;

        // Messages are bounded one by one (Grpc:MaxReceiveMessageBytes) and uploads in total (Api:MaxUploadBytes);
        // Kestrel's whole-body limit would cut long Interact streams.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = null;
        }

        if (streaming && http.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = null;
        }

        var settings = options.Value;
        var encoding = http.Request.Headers[GrpcProtocol.EncodingHeader].ToString();
        if (!GrpcCompression.IsSupported(encoding))
        {
            Finish(http, new GrpcStatusMapping.Failure(GrpcStatusCode.Unimplemented,
                $"grpc-encoding '{encoding}' is not supported; use identity or gzip", null, 501, false));
            return;
        }

        TimeSpan? timeout = null;
        if (http.Request.Headers[GrpcProtocol.TimeoutHeader].ToString() is { Length: > 0 } timeoutHeader)
        {
            if (!GrpcTimeout.TryParse(timeoutHeader, out var parsed))
            {
                Finish(http, new GrpcStatusMapping.Failure(GrpcStatusCode.Internal, $"malformed grpc-timeout '{timeoutHeader}'", null, 400, false));
                return;
            }

            timeout = parsed <= MaxDeadline ? parsed : null;
        }

        if (authenticate && Authenticate(http) is { } refused)
        {
            Finish(http, refused);
            return;
        }

        using var call = new GrpcCall(http, settings, timeout);
        tracker.Started();
        try
        {
            if (call.DeadlineExpired)
            {
                throw new OperationCanceledException(call.Token);
            }

            await handler(call).ConfigureAwait(false);
            Finish(http, null);
        }
        catch (Exception e) when (call.DeadlineExpired && !http.RequestAborted.IsCancellationRequested)
        {
            // Whatever was under way when the deadline passed, the caller has given up: DEADLINE_EXCEEDED.
            LogDeadline(logger, method, timeout ?? TimeSpan.Zero, e.GetType().Name);
            Finish(http, new GrpcStatusMapping.Failure(GrpcStatusCode.DeadlineExceeded, "the deadline (grpc-timeout) passed", null, 504, false));
        }
        catch (Exception e) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client reset the stream: there is no one to answer.
            LogCancelled(logger, method, e.GetType().Name);
        }
        catch (Exception e)
        {
            NameExecutingSilo(http, e);
            if (GrpcStatusMapping.Map(e) is { } failure)
            {
                LogFailed(logger, method, failure.Status, failure.Code ?? "-");
                Finish(http, failure);
            }
            else
            {
                LogUnhandled(logger, e, method);
                Finish(http, new GrpcStatusMapping.Failure(GrpcStatusCode.Internal,
                    "An unexpected error occurred. Quote the trace id when reporting it: " + http.TraceIdentifier, ErrorCodes.InternalError, 500, false));
            }
        }
        finally
        {
            tracker.Finished();
        }
    }

    /// <summary>The same API keys and per-tenant rate limit as the HTTP API; null when the call may proceed.</summary>
    private GrpcStatusMapping.Failure? Authenticate(HttpContext http)
    {
        TenantIdentity? identity;
        if (keys.IsOpen)
        {
            identity = keys.DevelopmentIdentity;
        }
        else
        {
            var presented = Presented(http.Request);
            identity = presented.IsEmpty ? null : keys.Find(presented);
            if (identity is null)
            {
                LogRejected(logger, http.Request.Path, presented.IsEmpty ? "missing" : "unknown");
                return new GrpcStatusMapping.Failure(GrpcStatusCode.Unauthenticated,
                    presented.IsEmpty ? "An API key is required: metadata 'authorization: Bearer <key>'." : "The API key is not valid.",
                    ErrorCodes.Unauthorized, 401, false);
            }
        }

        if (limiter.TryAcquire(identity.Tenant) is { } wait)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            http.Response.AppendTrailer(GrpcProtocol.RetryAfterTrailer, seconds.ToString(CultureInfo.InvariantCulture));
            return new GrpcStatusMapping.Failure(GrpcStatusCode.ResourceExhausted,
                $"The request rate of this tenant is over its limit; retry after {seconds} s.", ErrorCodes.RateLimited, 429, false);
        }

        http.Features.Set(identity);
        return null;
    }

    private static ReadOnlySpan<char> Presented(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString().AsSpan().Trim();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        return request.Headers[ApiKeyMiddleware.ApiKeyHeader].ToString().AsSpan().Trim();
    }

    /// <summary>
    /// A call that failed in a grain on another silo (the session's owner, reached by forwarding) names that silo, as
    /// <c>X-Atelier-Silo</c> does on the HTTP API: in the response headers when they have not gone out yet, and always in
    /// the <c>x-atelier-silo</c> trailer (this silo's name when the error was raised here, before any grain ran).
    /// </summary>
    private void NameExecutingSilo(HttpContext http, Exception exception)
    {
        var executing = (exception as AtelierException)?.Silo ?? silo.Name;
        if (!http.Response.HasStarted)
        {
            http.Response.Headers[GrpcProtocol.AtelierSiloMetadata] = executing;
        }

        http.Response.AppendTrailer(GrpcProtocol.AtelierSiloMetadata, executing);
    }

    private static void Finish(HttpContext http, GrpcStatusMapping.Failure? failure)
    {
        var response = http.Response;
        if (failure is not { } f)
        {
            response.AppendTrailer(GrpcProtocol.StatusTrailer, "0");
            return;
        }

        response.AppendTrailer(GrpcProtocol.StatusTrailer, ((int)f.Status).ToString(CultureInfo.InvariantCulture));
        response.AppendTrailer(GrpcProtocol.MessageTrailer, GrpcStatusMessage.Encode(f.Message));
        if (f.Code is { } code)
        {
            response.AppendTrailer(GrpcProtocol.AtelierCodeTrailer, code);
        }

        response.AppendTrailer(GrpcProtocol.AtelierHttpStatusTrailer, f.HttpStatus.ToString(CultureInfo.InvariantCulture));
        if (f.RetryAfter)
        {
            response.AppendTrailer(GrpcProtocol.RetryAfterTrailer, ExceptionMapping.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture));
        }
    }
}
