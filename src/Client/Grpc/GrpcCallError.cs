using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Atelier.Grpc;

namespace Atelier.Client.Grpc;

/// <summary>Turns a call's final gRPC status into the <see cref="AtelierApiException"/> the HTTP transport would throw.</summary>
internal static class GrpcCallError
{
    /// <summary>Throws when the response (headers of a trailers-only answer, else trailers) carries a non-OK status.</summary>
    public static void ThrowIfFailed(HttpResponseMessage response)
    {
        var status = Value(response, GrpcProtocol.StatusTrailer);
        if (status is null)
        {
            throw Exception(GrpcStatusCode.Internal, "the response carried no grpc-status", null, null, null);
        }

        if (!int.TryParse(status, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            throw Exception(GrpcStatusCode.Internal, $"malformed grpc-status '{status}'", null, null, null);
        }

        if (code == 0)
        {
            return;
        }

        var message = Value(response, GrpcProtocol.MessageTrailer) is { } encoded ? GrpcStatusMessage.Decode(encoded) : null;
        throw Exception((GrpcStatusCode)code, message, Value(response, GrpcProtocol.AtelierCodeTrailer),
            Value(response, GrpcProtocol.AtelierHttpStatusTrailer), Value(response, GrpcProtocol.RetryAfterTrailer));
    }

    /// <summary>An answer that is not gRPC at all (HTTP error before the call started).</summary>
    public static AtelierApiException FromHttp(HttpResponseMessage response)
    {
        // The gRPC protocol's mapping of HTTP statuses a proxy or server may answer instead of a gRPC response.
        var status = response.StatusCode switch
        {
            HttpStatusCode.BadRequest => GrpcStatusCode.Internal,
            HttpStatusCode.Unauthorized => GrpcStatusCode.Unauthenticated,
            HttpStatusCode.Forbidden => GrpcStatusCode.PermissionDenied,
            HttpStatusCode.NotFound => GrpcStatusCode.Unimplemented,
            HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => GrpcStatusCode.Unavailable,
            _ => GrpcStatusCode.Unknown,
        };
        return new AtelierApiException(response.StatusCode, "grpc_" + Snake(status), status.ToString(),
            $"the server answered HTTP {(int)response.StatusCode} instead of a gRPC response", null, null);
    }

    public static AtelierApiException Exception(GrpcStatusCode status, string? message, string? code, string? httpStatus, string? retryAfter)
    {
        var http = int.TryParse(httpStatus, NumberStyles.None, CultureInfo.InvariantCulture, out var h) ? (HttpStatusCode)h : HttpStatusOf(status);
        TimeSpan? wait = int.TryParse(retryAfter, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? TimeSpan.FromSeconds(seconds) : null;
        return new AtelierApiException(http, code ?? "grpc_" + Snake(status), status.ToString(), message, null, wait);
    }

    private static string? Value(HttpResponseMessage response, string name)
    {
        if (response.TrailingHeaders.TryGetValues(name, out var trailers))
        {
            return trailers.FirstOrDefault();
        }

        return response.Headers.TryGetValues(name, out var headers) ? headers.FirstOrDefault() : null;
    }

    private static HttpStatusCode HttpStatusOf(GrpcStatusCode status) => status switch
    {
        GrpcStatusCode.InvalidArgument or GrpcStatusCode.OutOfRange => HttpStatusCode.BadRequest,
        GrpcStatusCode.Unauthenticated => HttpStatusCode.Unauthorized,
        GrpcStatusCode.PermissionDenied => HttpStatusCode.Forbidden,
        GrpcStatusCode.NotFound => HttpStatusCode.NotFound,
        GrpcStatusCode.AlreadyExists or GrpcStatusCode.Aborted or GrpcStatusCode.FailedPrecondition => HttpStatusCode.Conflict,
        GrpcStatusCode.ResourceExhausted => HttpStatusCode.TooManyRequests,
        GrpcStatusCode.Unimplemented => HttpStatusCode.NotImplemented,
        GrpcStatusCode.Unavailable => HttpStatusCode.ServiceUnavailable,
        GrpcStatusCode.DeadlineExceeded => HttpStatusCode.GatewayTimeout,
        GrpcStatusCode.Cancelled => (HttpStatusCode)499,
        _ => HttpStatusCode.InternalServerError,
    };

    private static string Snake(GrpcStatusCode status)
    {
        var name = status.ToString();
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }
}
