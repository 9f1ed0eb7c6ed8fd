using Atelier.Silo.Errors;
using Atelier.Silo.Security;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Atelier.Silo.Grpc;

/// <summary>
/// API keys, tenants and the per-tenant rate limit of the gRPC front end: metadata <c>authorization: Bearer &lt;key&gt;</c>
/// (or <c>x-api-key</c>), the same <see cref="ApiKeyStore"/> and <see cref="TenantRateLimiter"/> as the HTTP API (one
/// token per call; the prompts of an Interact stream are not counted one by one). Attaches the caller's
/// <see cref="TenantIdentity"/> to the request for the services. The standard health and reflection services need no key.
/// </summary>
internal sealed partial class ApiKeyInterceptor(ApiKeyStore keys, TenantRateLimiter limiter, ILogger<ApiKeyInterceptor> logger) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(requestStream, responseStream, context);
    }

    /// <summary>
    /// Services anyone may call: health (probes carry no key), KServe's liveness and readiness (as <c>/v2/health</c>) and
    /// reflection (the schema is public, in proto/).
    /// </summary>
    private static bool IsOpen(string method) =>
        method.StartsWith("/grpc.health.v1.", StringComparison.Ordinal) || method.StartsWith("/grpc.reflection.", StringComparison.Ordinal)
        || method is "/inference.GRPCInferenceService/ServerLive" or "/inference.GRPCInferenceService/ServerReady";

    private void Authenticate(ServerCallContext context)
    {
        if (IsOpen(context.Method))
        {
            return;
        }

        var http = context.GetHttpContext();
        TenantIdentity? identity;
        if (keys.IsOpen)
        {
            identity = keys.DevelopmentIdentity;
        }
        else
        {
            var presented = ApiKeyMiddleware.Presented(http.Request);
            identity = presented.IsEmpty ? null : keys.Find(presented);
            if (identity is null)
            {
                LogRejected(logger, context.Method, presented.IsEmpty ? "missing" : "unknown");
                throw GrpcErrors.Create(StatusCode.Unauthenticated,
                    presented.IsEmpty ? "An API key is required: metadata 'authorization: Bearer <key>'." : "The API key is not valid.",
                    ErrorCodes.Unauthorized, StatusCodes.Status401Unauthorized);
            }
        }

        if (limiter.TryAcquire(identity.Tenant) is { } wait)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            throw GrpcErrors.Create(StatusCode.ResourceExhausted, $"The request rate of this tenant is over its limit; retry after {seconds} s.",
                ErrorCodes.RateLimited, StatusCodes.Status429TooManyRequests, seconds);
        }

        http.Features.Set(identity);
    }

    [LoggerMessage(EventId = 1203, Level = LogLevel.Information, Message = "Rejected gRPC {Method}: {Reason} API key")]
    private static partial void LogRejected(ILogger logger, string method, string reason);
}
