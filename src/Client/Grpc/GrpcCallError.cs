using System.Globalization;
using System.Net;
using Grpc.Core;

namespace Atelier.Client.Grpc;

/// <summary>Turns a failed call's <see cref="RpcException"/> into the <see cref="AtelierApiException"/> the HTTP transport would throw.</summary>
internal static class GrpcCallError
{
    /// <summary>The exception to throw for <paramref name="failure"/>: the server's status and Atelier trailers as an
    /// <see cref="AtelierApiException"/>; the transport error itself when the server could not be reached.</summary>
    public static Exception From(RpcException failure, CancellationToken cancellationToken)
    {
        if (failure.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            return new OperationCanceledException("The call was cancelled.", failure, cancellationToken);
        }

        if (failure.StatusCode == StatusCode.Unavailable && failure.Status.DebugException is { } transport)
        {
            for (var e = transport; e is not null; e = e.InnerException)
            {
                if (e is HttpRequestException unreachable)
                {
                    return unreachable;
                }
            }

            if (transport is System.Net.Sockets.SocketException or IOException)
            {
                return new HttpRequestException(failure.Status.Detail, transport);
            }
        }

        var trailers = failure.Trailers;
        var http = int.TryParse(trailers.GetValue("atelier-http-status"), NumberStyles.None, CultureInfo.InvariantCulture, out var h)
            ? (HttpStatusCode)h
            : HttpStatusOf(failure.StatusCode);
        TimeSpan? wait = int.TryParse(trailers.GetValue("retry-after"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;
        var detail = failure.Status.Detail.Length == 0 ? null : failure.Status.Detail;
        return new AtelierApiException(http, trailers.GetValue("atelier-code") ?? "grpc_" + Snake(failure.StatusCode), failure.StatusCode.ToString(), detail, null, wait);
    }

    private static HttpStatusCode HttpStatusOf(StatusCode status) => status switch
    {
        StatusCode.InvalidArgument or StatusCode.OutOfRange => HttpStatusCode.BadRequest,
        StatusCode.Unauthenticated => HttpStatusCode.Unauthorized,
        StatusCode.PermissionDenied => HttpStatusCode.Forbidden,
        StatusCode.NotFound => HttpStatusCode.NotFound,
        StatusCode.AlreadyExists or StatusCode.Aborted or StatusCode.FailedPrecondition => HttpStatusCode.Conflict,
        StatusCode.ResourceExhausted => HttpStatusCode.TooManyRequests,
        StatusCode.Unimplemented => HttpStatusCode.NotImplemented,
        StatusCode.Unavailable => HttpStatusCode.ServiceUnavailable,
        StatusCode.DeadlineExceeded => HttpStatusCode.GatewayTimeout,
        StatusCode.Cancelled => (HttpStatusCode)499,
        _ => HttpStatusCode.InternalServerError,
    };

    private static string Snake(StatusCode status)
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
