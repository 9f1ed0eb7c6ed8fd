using System.Diagnostics;
using System.Globalization;
using Atelier.Grains.Diagnostics;
using Atelier.Silo.Endpoints;
using Microsoft.Extensions.Options;

namespace Atelier.Silo.Observability;

/// <summary>
/// Outermost middleware of the public API: one server span, one metric sample and one Information log line per
/// request, with the route template (never the raw path), status, this silo, the silo that executed the call
/// (<c>X-Atelier-Silo</c>) and the session id. No bodies, headers or keys are read or logged.
/// </summary>
internal sealed partial class RequestObservabilityMiddleware(
    RequestDelegate next,
    SiloMetrics metrics,
    IOptions<ObservabilityOptions> options,
    IOptions<Hosting.SiloOptions> silo,
    ILoggerFactory loggers)
{
    /// <summary>Log category of the request lines.</summary>
    public const string LogCategory = "Atelier.Silo.Requests";

    private readonly ILogger _logger = loggers.CreateLogger(LogCategory);
    private readonly bool _logRequests = options.Value.RequestLogs;
    private readonly string _silo = silo.Value.Name;

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        // Routing ran before this middleware; the exception handler clears the endpoint and route values, so read them now.
        var route = Route(context);
        var routeSession = SessionId(context);
        using var activity = SiloTelemetry.StartRequest(context, _silo);
        var failed = false;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            // An exception that escapes the pipeline becomes a 500 in the server.
            var status = failed ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
            if (route == Unmatched)
            {
                route = Route(context);
            }

            var session = routeSession ?? SessionId(context);
            var method = MethodLabel(context.Request.Method);
            metrics.RequestCompleted(route, method, StatusText(status), started);
            if (activity is not null)
            {
                activity.DisplayName = method + " " + route;
                activity.SetTag("http.route", route);
                activity.SetTag("http.response.status_code", status);
                if (session is not null)
                {
                    activity.SetTag(ModelTelemetry.SessionIdTag, session);
                }

                if (status >= 500)
                {
                    activity.SetStatus(ActivityStatusCode.Error);
                }
            }

            // Silo-to-silo frames (/_atelier/...) are counted and traced but not logged: the click they carry already was.
            if (_logRequests && !context.Request.Path.StartsWithSegments("/_atelier", StringComparison.Ordinal))
            {
                var owner = context.Response.Headers[SessionEndpoints.SiloHeader].ToString();
                LogRequest(_logger, method, route, status, Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                    _silo, owner.Length == 0 ? _silo : owner, session ?? "-");
            }
        }
    }

    /// <summary>The matched route template, e.g. <c>/v1/sessions/{id}/segment</c>; <c>unmatched</c> when no endpoint matched.</summary>
    private static string Route(HttpContext context) =>
        context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } template } ? Normalize(template) : Unmatched;

    private const string Unmatched = "unmatched";

    private static string Normalize(string template) => template.Length > 1 && template.EndsWith('/') ? template[..^1] : template;

    /// <summary>The session the request addressed: the <c>{id}</c> of a session route, or the one a 201 created.</summary>
    private static string? SessionId(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/v1/sessions", StringComparison.Ordinal))
        {
            return null;
        }

        if (context.Request.RouteValues.TryGetValue("id", out var id) && id is string value)
        {
            return value;
        }

        var location = context.Response.Headers.Location.ToString();
        return context.Response.StatusCode == StatusCodes.Status201Created && location.Length > 0
            ? location[(location.LastIndexOf('/') + 1)..]
            : null;
    }

    /// <summary>The standard methods by name, anything else (a client chooses it) as <c>OTHER</c>: labels stay bounded.</summary>
    private static string MethodLabel(string method) => method switch
    {
        "GET" or "POST" or "PUT" or "DELETE" or "PATCH" or "HEAD" or "OPTIONS" => method,
        _ => "OTHER",
    };

    private static string StatusText(int status) => status switch
    {
        200 => "200",
        201 => "201",
        204 => "204",
        400 => "400",
        404 => "404",
        _ => status.ToString(CultureInfo.InvariantCulture),
    };
}
