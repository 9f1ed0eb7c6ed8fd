using System.Diagnostics;

namespace Atelier.Grains.Diagnostics;

/// <summary>
/// Spans of model runs (activity source <c>Atelier.Models</c>), children of the grain call that asked for the
/// run. The span carries the model id and operation, and copies the silo and session id from its parent.
/// </summary>
public static class ModelTelemetry
{
    /// <summary>The activity source name.</summary>
    public const string SourceName = "Atelier.Models";

    /// <summary>Span attribute: the session id (set on grain call spans by the session grain).</summary>
    public const string SessionIdTag = "atelier.session.id";

    /// <summary>Span attribute: the model id.</summary>
    public const string ModelIdTag = "atelier.model.id";

    /// <summary>Span attribute: the silo that runs the span.</summary>
    public const string SiloTag = "atelier.silo";

    internal static ActivitySource Source { get; } = new(SourceName);

    internal static Activity? StartRun(string modelId, string operation)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var parent = Activity.Current;
        var activity = Source.StartActivity("model " + operation, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(ModelIdTag, modelId);
            activity.SetTag("atelier.model.operation", operation);
            if (parent?.GetTagItem(SiloTag) is { } silo)
            {
                activity.SetTag(SiloTag, silo);
            }

            if (parent?.GetTagItem(SessionIdTag) is { } session)
            {
                activity.SetTag(SessionIdTag, session);
            }
        }

        return activity;
    }
}
