using Microsoft.AspNetCore.Mvc;
namespace Atelier.Silo.Endpoints;

/// <summary><c>GET /v1/cluster</c>: the silos, their status and load.</summary>
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
                m.Address.ToString(),
                m.Stats is null ? "unreachable" : StatusName(m.Status),
                StartedAt(m.Address.Generation),
                m.LastHeartbeat,
                m.Stats?.Sessions ?? m.Load.Sessions,
                m.Stats?.DeviceBytesUsed ?? m.Load.DeviceBytesUsed,
                m.Stats?.DeviceBytesBudget ?? m.Load.DeviceBytesBudget,
                m.Stats?.HostBytesUsed ?? m.Load.HostBytesUsed,
                m.Stats?.ResidentModels ?? m.Load.ResidentModels,
                m.Stats?.QueueLength ?? m.Load.QueueLength);
        }

        return TypedResults.Ok(new ClusterResponse(silos));
    }

    private static string StatusName(Runtime.SiloStatus status) => status switch
    {
        Runtime.SiloStatus.Joining => "joining",
        Runtime.SiloStatus.Active => "active",
        Runtime.SiloStatus.ShuttingDown => "shutting-down",
        _ => "dead",
    };

    /// <summary>The generation is the start epoch in Unix milliseconds by default; anything else is not a time.</summary>
    private static DateTimeOffset? StartedAt(long generation) =>
        generation is > 946_684_800_000 and < 32_503_680_000_000 ? DateTimeOffset.FromUnixTimeMilliseconds(generation) : null;
}
