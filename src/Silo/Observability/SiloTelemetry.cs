using System.Diagnostics;

namespace Atelier.Silo.Observability;

/// <summary>
/// Server spans of requests to the silo's public API (activity source <c>Atelier.Silo</c>). The parent is the
/// request's W3C <c>traceparent</c> (or ASP.NET Core's own request activity, which already honours it); grain
/// calls made while serving become children through the runtime's request context.
/// </summary>
internal static class SiloTelemetry
{
    /// <summary>The activity source name.</summary>
    public const string SourceName = "Atelier.Silo";

    public static ActivitySource Source { get; } = new(SourceName);

    /// <summary>Starts the server span of a request (null when nobody listens).</summary>
    public static Activity? StartRequest(HttpContext context, string silo)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        // ASP.NET Core's own request activity is the parent only when someone records it; otherwise (nobody listens to
        // it, so it is never sampled) it would make a parent-based sampler drop every span of the request, so the
        // parent is the caller's traceparent and the unrecorded activity is left out of the chain.
        ActivityContext parent = default;
        if (Activity.Current is not { Recorded: true })
        {
            Activity.Current = null;
            if (context.Request.Headers.TryGetValue("traceparent", out var traceParent))
            {
                _ = ActivityContext.TryParse(traceParent.ToString(), context.Request.Headers["tracestate"].ToString(), isRemote: true, out parent);
            }
        }

        var activity = Source.StartActivity(ActivityKind.Server, parent, name: context.Request.Method);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("http.request.method", context.Request.Method);
            activity.SetTag("url.path", context.Request.Path.Value);
            activity.SetTag("atelier.silo", silo);
        }

        return activity;
    }
}
