using System.Globalization;
using Atelier.Silo.Errors;

namespace Atelier.Silo.KServe;

/// <summary>
/// Errors of the v2 front end as the protocol writes them: <c>{"error": "&lt;message&gt;"}</c>, with the status from the
/// one mapping table of the silo (<see cref="ExceptionMapping"/>): 400 for a malformed request or tensors that do not fit
/// the model, 404 for an unknown model, 413 for an oversized body, 503 (with <c>Retry-After</c>) when the device has no room.
/// An unexpected error answers 500 with a fixed message; its details only reach the log.
/// </summary>
internal sealed partial class KServeErrorFilter(ILogger<KServeErrorFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (Exception e) when (!context.HttpContext.RequestAborted.IsCancellationRequested && !context.HttpContext.Response.HasStarted)
        {
            return Error(context.HttpContext, e, logger);
        }
    }

    /// <summary>The <c>{"error"}</c> answer for <paramref name="exception"/>.</summary>
    public static IResult Error(HttpContext context, Exception exception, ILogger logger)
    {
        if (ExceptionMapping.Map(exception) is not { } mapping)
        {
            LogUnexpected(logger, context.Request.Method, context.Request.Path, exception);
            return TypedResults.Json(new KServeError("internal error"), statusCode: StatusCodes.Status500InternalServerError);
        }

        if (mapping.RetryAfter)
        {
            context.Response.Headers.RetryAfter = ExceptionMapping.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }

        return TypedResults.Json(new KServeError(mapping.Detail ?? exception.Message), statusCode: mapping.Status);
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Error, Message = "Unexpected error in {Method} {Path}")]
    private static partial void LogUnexpected(ILogger logger, string method, string path, Exception exception);
}

/// <summary>The protocol's error body.</summary>
internal sealed record KServeError([property: System.Text.Json.Serialization.JsonPropertyName("error")] string Error);
