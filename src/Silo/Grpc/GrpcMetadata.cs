namespace Atelier.Silo.Grpc;

/// <summary>Metadata (headers and trailers) Atelier adds to gRPC calls, beside the standard <c>grpc-status</c>/<c>grpc-message</c>.</summary>
internal static class GrpcMetadata
{
    /// <summary>Atelier's stable error code (the ProblemDetails <c>code</c> of the HTTP API), sent as a trailer.</summary>
    public const string Code = "atelier-code";

    /// <summary>The HTTP status the same error has in the HTTP API, sent as a trailer so clients can map both the same way.</summary>
    public const string HttpStatus = "atelier-http-status";

    /// <summary>Seconds to wait before retrying (overload, rate limit), sent as a trailer.</summary>
    public const string RetryAfter = "retry-after";

    /// <summary>Silo header and error trailer: the silo that executed the call (a session's owner, wherever the call arrived).</summary>
    public const string Silo = "x-atelier-silo";

    /// <summary>Grpc.AspNetCore's per-call response compression request (a response header it consumes, never sent).</summary>
    public const string ResponseEncodingRequest = "grpc-internal-encoding-request";
}
