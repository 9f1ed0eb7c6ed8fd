using System.Net;

namespace Atelier.Client;

/// <summary>An error answer of the Atelier API, carrying the ProblemDetails fields and the stable <see cref="Code"/>.</summary>
public sealed class AtelierApiException : Exception
{
    public AtelierApiException() : this("The Atelier API answered an error.") { }

    public AtelierApiException(string message) : base(message) { }

    public AtelierApiException(string message, Exception innerException) : base(message, innerException) { }

    public AtelierApiException(HttpStatusCode status, string code, string? title, string? detail, string? traceId, TimeSpan? retryAfter)
        : base($"{(int)status} {code}: {detail ?? title ?? status.ToString()}")
    {
        StatusCode = status;
        Code = code;
        Title = title;
        Detail = detail;
        TraceId = traceId;
        RetryAfter = retryAfter;
    }

    /// <summary>HTTP status of the answer.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>Stable machine-readable code, e.g. <c>session_not_found</c>; <c>http_&lt;status&gt;</c> when the answer was not a problem document.</summary>
    public string Code { get; } = "unknown";

    public string? Title { get; }

    public string? Detail { get; }

    /// <summary>Trace id to quote when reporting an error.</summary>
    public string? TraceId { get; }

    /// <summary>The server's <c>Retry-After</c>, when it sent one (429, 503).</summary>
    public TimeSpan? RetryAfter { get; }
}
