using System.Collections.Immutable;
using System.Diagnostics;

namespace Atelier.Runtime.Diagnostics;

/// <summary>
/// Tracing of grain calls (activity source <c>Atelier.Runtime</c>). The caller's <see cref="Activity.Current"/>
/// travels as a W3C <c>traceparent</c> (and <c>tracestate</c>) in the call's request context, locally and in
/// request frames to other silos, because execution context does not flow into activations; the callee's turn
/// runs inside a server span whose parent is that context.
/// </summary>
public static class RuntimeTelemetry
{
    /// <summary>The activity source name.</summary>
    public const string SourceName = "Atelier.Runtime";

    /// <summary>Request-context key of the caller's W3C <c>traceparent</c>.</summary>
    public const string TraceParentKey = "traceparent";

    /// <summary>Request-context key of the caller's W3C <c>tracestate</c>.</summary>
    public const string TraceStateKey = "tracestate";

    internal static ActivitySource Source { get; } = new(SourceName);

    /// <summary>The context to send with a call: the caller's, plus the current activity as its parent.</summary>
    internal static ImmutableDictionary<string, string>? Inject(ImmutableDictionary<string, string>? context)
    {
        if (Activity.Current is not { IdFormat: ActivityIdFormat.W3C } current)
        {
            return context;
        }

        var map = (context ?? ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal)).SetItem(TraceParentKey, current.Id!);
        return current.TraceStateString is { Length: > 0 } state ? map.SetItem(TraceStateKey, state) : map;
    }

    /// <summary>Starts the callee's span for a call (null when nobody listens).</summary>
    internal static Activity? StartCall(CallWorkItem call, SiloAddress silo)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        ActivityContext parent = default;
        if (call.Context is { } context && context.TryGetValue(TraceParentKey, out var traceParent))
        {
            context.TryGetValue(TraceStateKey, out var traceState);
            _ = ActivityContext.TryParse(traceParent, traceState, isRemote: call.RemoteOrigin, out parent);
        }

        var activity = Source.StartActivity(ActivityKind.Server, parent, name: call.Interface.ShortName + "/" + call.Method.Method.Name);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("rpc.system", "atelier");
            activity.SetTag("rpc.service", call.Interface.Name);
            activity.SetTag("rpc.method", call.Method.Method.Name);
            activity.SetTag("atelier.grain.key", call.GrainId.Key);
            activity.SetTag("atelier.silo", silo.ToString());
        }

        return activity;
    }
}
