using Microsoft.AspNetCore.Mvc;
namespace Atelier.Silo.Endpoints;

/// <summary><c>GET /v1/cluster</c>: the silos (Orleans membership), their status and device figures.</summary>
internal static class ClusterEndpoints
{
    public static IEndpointRouteBuilder MapClusterEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup("/v1/cluster").WithTags("Cluster")
            .MapGet("/", GetAsync)
            .WithName("GetCluster")
            .WithSummary("The active silos with status, memory, sessions, resident models and queue length")
            .Produces<ClusterResponse>()
            .WithProblems(401, 429);
        return endpoints;
    }

    private static async Task<IResult> GetAsync(HttpContext context, [FromServices] ClusterView cluster)
    {
        var members = await cluster.GetMembersAsync(context.RequestAborted).ConfigureAwait(false);
        var silos = new SiloResponse[members.Count];
        for (var i = 0; i < silos.Length; i++)
        {
            var m = members[i];
            silos[i] = new SiloResponse(
                m.Name,
                m.Address.ToParsableString(),
                m.Answered ? StatusName(m.Status) : "unreachable",
                m.Stats?.StartedAt,
                m.LastHeard,
                m.Stats?.Sessions ?? 0,
                m.Stats?.DeviceBytesUsed ?? 0,
                m.Stats?.DeviceBytesBudget ?? 0,
                m.Stats?.HostBytesUsed ?? 0,
                m.Stats?.ResidentModels ?? [],
                m.Stats?.QueueLength ?? 0);
        }

        return TypedResults.Ok(new ClusterResponse(silos));
    }

    private static string StatusName(SiloStatus status) => status switch
    {
        SiloStatus.Joining or SiloStatus.Created => "joining",
        SiloStatus.Active => "active",
        SiloStatus.ShuttingDown or SiloStatus.Stopping => "shutting-down",
        _ => "dead",
    };
}
