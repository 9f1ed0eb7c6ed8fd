using System.Globalization;
using Atelier.Silo.Errors;
using Grpc.Core;

namespace Atelier.Silo.Grpc;

/// <summary>
/// Typed errors → gRPC status, through the same <see cref="ExceptionMapping"/> the HTTP API uses, so both front ends
/// refuse the same request the same way: the status and <c>grpc-message</c> (the problem's detail), the stable code in
/// <c>atelier-code</c>, the HTTP status in <c>atelier-http-status</c>, <c>retry-after</c> for overload.
/// </summary>
internal static class GrpcErrors
{
    /// <summary>The call's failure for a known error, or null for an unexpected one (INTERNAL, logged by the caller).</summary>
    public static RpcException? Map(Exception exception) =>
        ExceptionMapping.Map(exception) is { } http
            ? Create(FromHttpStatus(http.Status), http.Detail ?? exception.Message, http.Code, http.Status,
                http.RetryAfter ? ExceptionMapping.RetryAfterSeconds : null)
            : null;

    /// <summary>A failure with Atelier's trailers.</summary>
    public static RpcException Create(StatusCode status, string message, string? code, int httpStatus, int? retryAfterSeconds = null)
    {
        var trailers = new Metadata();
        if (code is not null)
        {
            trailers.Add(GrpcMetadata.Code, code);
        }

        trailers.Add(GrpcMetadata.HttpStatus, httpStatus.ToString(CultureInfo.InvariantCulture));
        if (retryAfterSeconds is { } seconds)
        {
            trailers.Add(GrpcMetadata.RetryAfter, seconds.ToString(CultureInfo.InvariantCulture));
        }

        return new RpcException(new Status(status, message), trailers, message);
    }

    /// <summary>The gRPC status of an HTTP API status (the table in docs/grpc.md).</summary>
    public static StatusCode FromHttpStatus(int status) => status switch
    {
        400 or 415 or 422 => StatusCode.InvalidArgument,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.NotFound,
        409 => StatusCode.FailedPrecondition,
        413 or 429 => StatusCode.ResourceExhausted,
        501 => StatusCode.Unimplemented,
        503 => StatusCode.Unavailable,
        504 => StatusCode.DeadlineExceeded,
        _ => StatusCode.Internal,
    };
}
