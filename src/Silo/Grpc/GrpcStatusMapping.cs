using Atelier.Grpc;
using Atelier.Silo.Errors;

namespace Atelier.Silo.Grpc;

/// <summary>
/// Typed errors → gRPC status, through the same <see cref="ExceptionMapping"/> the HTTP API uses, so both front ends
/// refuse the same request the same way (the stable code travels in the <c>atelier-code</c> trailer).
/// </summary>
internal static class GrpcStatusMapping
{
    public readonly record struct Failure(GrpcStatusCode Status, string Message, string? Code, int HttpStatus, bool RetryAfter);

    /// <summary>The failure for a known error, or null for an unexpected one (INTERNAL, logged).</summary>
    public static Failure? Map(Exception exception)
    {
        if (exception is GrpcException grpc)
        {
            return new Failure(grpc.Status, grpc.Message, CodeOf(grpc.Status), HttpStatusOf(grpc.Status), false);
        }

        if (ExceptionMapping.Map(exception) is not { } http)
        {
            return null;
        }

        return new Failure(FromHttpStatus(http.Status), http.Detail ?? exception.Message, http.Code, http.Status, http.RetryAfter);
    }

    /// <summary>The gRPC status of an HTTP API status (the table in docs/grpc.md).</summary>
    public static GrpcStatusCode FromHttpStatus(int status) => status switch
    {
        400 or 415 or 422 => GrpcStatusCode.InvalidArgument,
        401 => GrpcStatusCode.Unauthenticated,
        403 => GrpcStatusCode.PermissionDenied,
        404 => GrpcStatusCode.NotFound,
        409 => GrpcStatusCode.FailedPrecondition,
        413 or 429 => GrpcStatusCode.ResourceExhausted,
        501 => GrpcStatusCode.Unimplemented,
        503 => GrpcStatusCode.Unavailable,
        504 => GrpcStatusCode.DeadlineExceeded,
        _ => GrpcStatusCode.Internal,
    };

    private static string? CodeOf(GrpcStatusCode status) => status switch
    {
        GrpcStatusCode.ResourceExhausted => ErrorCodes.PayloadTooLarge,
        GrpcStatusCode.InvalidArgument => ErrorCodes.InvalidRequest,
        GrpcStatusCode.Unauthenticated => ErrorCodes.Unauthorized,
        _ => null,
    };

    private static int HttpStatusOf(GrpcStatusCode status) => status switch
    {
        GrpcStatusCode.InvalidArgument => 400,
        GrpcStatusCode.Unauthenticated => 401,
        GrpcStatusCode.PermissionDenied => 403,
        GrpcStatusCode.NotFound => 404,
        GrpcStatusCode.FailedPrecondition => 409,
        GrpcStatusCode.ResourceExhausted => 413,
        GrpcStatusCode.Unimplemented => 501,
        GrpcStatusCode.Unavailable => 503,
        GrpcStatusCode.DeadlineExceeded => 504,
        _ => 500,
    };
}
