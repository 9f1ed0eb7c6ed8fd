using Atelier.Grains;
using Atelier.Grains.Hosting;

namespace Atelier.Silo.Cluster;

/// <summary>
/// Names the executing silo in every typed error a grain call on this silo raises (<see cref="AtelierException.Silo"/>),
/// so the ingress silo answers <c>X-Atelier-Silo</c> (and the gRPC trailer) with the session's owner, not itself.
/// </summary>
internal sealed class ErrorOwnerFilter(SiloIdentity silo) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
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
