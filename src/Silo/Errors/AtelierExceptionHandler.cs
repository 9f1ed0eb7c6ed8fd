using Microsoft.AspNetCore.Mvc;
using Atelier.Grains;
using Atelier.Silo.Hosting;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace Atelier.Silo.Errors;

/// <summary>
/// Turns every exception that escapes an endpoint into a ProblemDetails response: typed errors get their
/// status and stable code; anything else is logged and answered 500 with a trace id. No stack trace, no
/// exception text of an unexpected error ever reaches the client.
/// </summary>
internal sealed partial class AtelierExceptionHandler(IProblemDetailsService problems, ILogger<AtelierExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // The exception handler middleware cleared the response headers. A grain call that failed on another silo (the
        // session's owner, reached by forwarding) names that silo; an error raised here before any grain ran names this one.
        if ((exception as AtelierException)?.Silo is { } owner)
        {
            httpContext.Response.Headers["X-Atelier-Silo"] = owner;
        }
        else if (httpContext.RequestServices?.GetService<IOptions<SiloOptions>>() is { } silo)
        {
            httpContext.Response.Headers["X-Atelier-Silo"] = silo.Value.Name;
        }

        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is no one to answer. 499 (client closed request) for the logs.
            httpContext.Response.StatusCode = 499;
            return true;
        }

        var problem = ToProblem(httpContext, exception, logger, out var retryAfter);
        if (retryAfter)
        {
            httpContext.Response.Headers.RetryAfter = ExceptionMapping.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        var written = await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        }).ConfigureAwait(false);
        if (!written)
        {
            // The client's Accept names no JSON type (e.g. 'image/png' on segment): an error is still a problem document.
            await TypedResults.Problem(problem).ExecuteAsync(httpContext).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>
    /// The problem document for an exception: typed errors with their status and code; anything else logged and
    /// described as a 500 with no detail of the exception. Also used where the response has already started (the
    /// <c>error</c> event of a replace's Server-Sent Events).
    /// </summary>
    internal static ProblemDetails ToProblem(HttpContext httpContext, Exception exception, ILogger logger, out bool retryAfter)
    {
        var mapping = ExceptionMapping.Map(exception);
        string detail;
        if (mapping is { } known)
        {
            detail = known.Detail ?? exception.Message;
        }
        else
        {
            LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
            mapping = new ExceptionMapping.Mapping(StatusCodes.Status500InternalServerError, ErrorCodes.InternalError, "Internal server error");
            detail = "An unexpected error occurred. Quote the traceId when reporting it.";
        }

        retryAfter = mapping.Value.RetryAfter;
        return Problems.Create(httpContext, mapping.Value.Status, mapping.Value.Code, mapping.Value.Title, detail);
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Error, Message = "Unhandled exception on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}
