namespace Atelier.Grpc;

/// <summary>Header names, media types and fixed sizes of the gRPC-over-HTTP/2 protocol.</summary>
public static class GrpcProtocol
{
    /// <summary>Media type of gRPC requests and responses; <c>application/grpc+proto</c> is the same thing.</summary>
    public const string ContentType = "application/grpc";

    public const string ProtoContentType = "application/grpc+proto";

    public const string StatusTrailer = "grpc-status";

    public const string MessageTrailer = "grpc-message";

    public const string TimeoutHeader = "grpc-timeout";

    public const string EncodingHeader = "grpc-encoding";

    public const string AcceptEncodingHeader = "grpc-accept-encoding";

    /// <summary>Atelier's stable error code (the ProblemDetails <c>code</c> of the HTTP API), sent as a trailer.</summary>
    public const string AtelierCodeTrailer = "atelier-code";

    /// <summary>The HTTP status the same error has in the HTTP API, sent as a trailer so clients can map both the same way.</summary>
    public const string AtelierHttpStatusTrailer = "atelier-http-status";

    /// <summary>Seconds to wait before retrying (overload, rate limit), sent as a trailer.</summary>
    public const string RetryAfterTrailer = "retry-after";

    /// <summary>Silo header and error trailer: the silo that executed the call (a session's owner, wherever the call arrived).</summary>
    public const string AtelierSiloMetadata = "x-atelier-silo";

    public const string Identity = "identity";

    public const string Gzip = "gzip";

    /// <summary>What this implementation accepts in <c>grpc-encoding</c>.</summary>
    public const string SupportedEncodings = "identity,gzip";

    /// <summary>Bytes of a message prefix: 1 compressed flag + 4 big-endian length.</summary>
    public const int FrameHeaderBytes = 5;

    /// <summary>Whether <paramref name="contentType"/> is <c>application/grpc</c> or <c>application/grpc+proto</c> (parameters ignored).</summary>
    public static bool IsGrpcContentType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var media = contentType.AsSpan();
        var semicolon = media.IndexOf(';');
        if (semicolon >= 0)
        {
            media = media[..semicolon];
        }

        media = media.Trim();
        return media.Equals(ContentType, StringComparison.OrdinalIgnoreCase) || media.Equals(ProtoContentType, StringComparison.OrdinalIgnoreCase);
    }
}
