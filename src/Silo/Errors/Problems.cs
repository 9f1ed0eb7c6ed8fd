using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Atelier.Silo.Errors;

/// <summary>Builds RFC 9457 problem documents with Atelier's stable <c>code</c> extension.</summary>
internal static class Problems
{
    /// <summary>Problem type URI for a code: <c>urn:atelier:problem:&lt;code&gt;</c>.</summary>
    public static string TypeOf(string code) => "urn:atelier:problem:" + code;

    public static ProblemDetails Create(HttpContext context, int status, string code, string title, string? detail)
    {
        var problem = new ProblemDetails
        {
            Type = TypeOf(code),
            Title = title,
            Status = status,
            Detail = detail,
            Instance = context.Request.Path,
        };
        problem.Extensions["code"] = code;
        problem.Extensions["traceId"] = Activity.Current?.Id ?? context.TraceIdentifier;
        return problem;
    }

    /// <summary>A 400 naming the offending field.</summary>
    public static IResult Invalid(HttpContext context, string field, string problem) =>
        TypedResults.Problem(Create(context, StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "Invalid request", $"{field}: {problem}"));

    /// <summary>A 400 <c>invalid_prompt</c> naming the offending field of a prompt.</summary>
    public static IResult InvalidPrompt(HttpContext context, string field, string problem) =>
        TypedResults.Problem(Create(context, StatusCodes.Status400BadRequest, "invalid_prompt", "Invalid prompt", $"{field}: {problem}"));

    /// <summary>Writes a problem straight to the response (for middleware that answers before any endpoint).</summary>
    public static Task WriteAsync(HttpContext context, int status, string code, string title, string detail) =>
        TypedResults.Problem(Create(context, status, code, title, detail)).ExecuteAsync(context);
}
