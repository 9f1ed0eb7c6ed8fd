namespace Atelier.Silo.Errors;

/// <summary>
/// Gives problems the framework writes on its own (no route: 404, content type refused by routing: 415, wrong
/// method: 405, status-code pages) the same stable <c>code</c>, type and trace id as Atelier's own problems.
/// </summary>
internal static class StatusProblems
{
    public static Action<ProblemDetailsContext> Customize(Action<ProblemDetailsContext>? previous) => context =>
    {
        previous?.Invoke(context);
        var problem = context.ProblemDetails;
        if (problem.Extensions.ContainsKey("code"))
        {
            return;
        }

        var code = CodeOf(problem.Status ?? context.HttpContext.Response.StatusCode);
        problem.Extensions["code"] = code;
        problem.Type = Problems.TypeOf(code);
        problem.Instance ??= context.HttpContext.Request.Path;
        if (!problem.Extensions.ContainsKey("traceId"))
        {
            problem.Extensions["traceId"] = System.Diagnostics.Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
        }
    };

    public static string CodeOf(int status) => status switch
    {
        StatusCodes.Status400BadRequest => ErrorCodes.InvalidRequest,
        StatusCodes.Status401Unauthorized => ErrorCodes.Unauthorized,
        StatusCodes.Status403Forbidden => ErrorCodes.Forbidden,
        StatusCodes.Status404NotFound => ErrorCodes.NotFound,
        StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
        StatusCodes.Status413PayloadTooLarge => ErrorCodes.PayloadTooLarge,
        StatusCodes.Status415UnsupportedMediaType => ErrorCodes.UnsupportedMediaType,
        StatusCodes.Status429TooManyRequests => ErrorCodes.RateLimited,
        StatusCodes.Status503ServiceUnavailable => ErrorCodes.Overloaded,
        _ => ErrorCodes.InternalError,
    };
}
