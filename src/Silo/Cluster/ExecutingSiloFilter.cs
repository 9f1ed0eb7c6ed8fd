using System.Diagnostics;
using Atelier.Grains;
using Atelier.Grains.Diagnostics;
using Atelier.Grains.Hosting;

namespace Atelier.Silo.Cluster;

/// <summary>
/// Names the silo that executes each grain call on this silo: on the call's span (Orleans' server span, so the model run
/// under it carries it too) and in every typed error the call raises (<see cref="AtelierException.Silo"/>), so the ingress
/// silo answers <c>X-Atelier-Silo</c> (and the gRPC trailer) with the session's owner, not itself.
/// </summary>
internal sealed class ExecutingSiloFilter(SiloIdentity silo) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (Activity.Current is { } span)
        {
            span.SetTag(ModelTelemetry.SiloTag, silo.Name);
            if (context.Grain is ISessionGrain)
            {
                span.SetTag(ModelTelemetry.SessionIdTag, context.TargetId.Key.ToString());
            }
        }

        try
        {
            await context.Invoke();
        }
        catch (AtelierException e)
        {
            e.Silo ??= silo.Name;
            throw;
        }

        if (context.Response?.Exception is AtelierException raised)
        {
            raised.Silo ??= silo.Name;
        }
    }
}
