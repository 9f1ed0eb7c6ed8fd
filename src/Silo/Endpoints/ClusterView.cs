using Atelier.Grains;
using Atelier.Runtime;

namespace Atelier.Silo.Endpoints;

/// <summary>The active silos with each one's model grain and stats, gathered concurrently.</summary>
internal sealed class ClusterView(IMembership membership, IGrainFactory grains)
{
    public sealed record Member(SiloAddress Address, SiloLoad Load, SiloStatus Status, SiloStats? Stats, DateTimeOffset? LastHeartbeat = null)
    {
        /// <summary>The silo's name as it reports it, else its endpoint.</summary>
        public string Name => Stats?.Silo ?? Address.Endpoint;
    }

    public async Task<IReadOnlyList<Member>> GetMembersAsync(CancellationToken cancellationToken)
    {
        var loads = membership.GetActiveSilos();
        var tasks = new Task<SiloStats?>[loads.Count];
        for (var i = 0; i < tasks.Length; i++)
        {
            tasks[i] = StatsOrNullAsync(loads[i].Silo, cancellationToken);
        }

        var stats = await Task.WhenAll(tasks).ConfigureAwait(false);
        var members = new Member[loads.Count];
        for (var i = 0; i < members.Length; i++)
        {
            members[i] = new Member(loads[i].Silo, loads[i], membership.GetStatus(loads[i].Silo), stats[i], membership.GetLastHeartbeat(loads[i].Silo));
        }

        return members;
    }

    /// <summary>The model grain of the silo named <paramref name="silo"/> (name, endpoint or address), or this silo's for null.</summary>
    public async Task<(IModelGrain Grain, string Name)?> FindModelGrainAsync(string? silo, CancellationToken cancellationToken)
    {
        if (silo is null)
        {
            var local = grains.GetSiloGrain<IModelGrain>();
            var stats = await local.GetStats(cancellationToken).ConfigureAwait(false);
            return (local, stats.Silo);
        }

        foreach (var member in await GetMembersAsync(cancellationToken).ConfigureAwait(false))
        {
            if (member.Name == silo || member.Address.Endpoint == silo || member.Address.ToString() == silo)
            {
                return (grains.GetSiloGrain<IModelGrain>(member.Address), member.Name);
            }
        }

        return null;
    }

    public IModelGrain ModelGrain(SiloAddress silo) => grains.GetSiloGrain<IModelGrain>(silo);

    private async Task<SiloStats?> StatsOrNullAsync(SiloAddress silo, CancellationToken cancellationToken)
    {
        try
        {
            return await grains.GetSiloGrain<IModelGrain>(silo).GetStats(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SiloUnavailableException or TimeoutException)
        {
            // A silo that does not answer is listed from its membership row alone.
            return null;
        }
    }
}
