using Atelier.Grains;
using Atelier.Grains.Models;
using Atelier.Grains.Placement;

namespace Atelier.Silo.Endpoints;

/// <summary>
/// The cluster as Orleans' membership sees it (this silo's local view, no Redis read), each active silo with its
/// device figures asked of its model host service concurrently (the cached figures when it does not answer in time).
/// </summary>
internal sealed class ClusterView(IClusterMembershipService membership, ILocalSiloDetails localSilo, IModelHostServiceClient hosts, DeviceFigures figures)
{
    /// <summary>How long a silo gets to answer for its figures before the cached ones are shown.</summary>
    private static readonly TimeSpan StatsTimeout = TimeSpan.FromSeconds(2);

    public sealed record Member(SiloAddress Address, string? SiloName, SiloStatus Status, SiloStats? Stats, bool Answered, DateTimeOffset? LastHeard)
    {
        /// <summary>The silo's name as it reports it, else Orleans' silo name, else its address.</summary>
        public string Name => Stats?.Silo ?? SiloName ?? Address.ToParsableString();
    }

    public async Task<IReadOnlyList<Member>> GetMembersAsync(CancellationToken cancellationToken)
    {
        var silos = new List<ClusterMember>();
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status is SiloStatus.Active or SiloStatus.Joining or SiloStatus.ShuttingDown or SiloStatus.Stopping)
            {
                silos.Add(member);
            }
        }

        var tasks = new Task<SiloStats?>[silos.Count];
        for (var i = 0; i < tasks.Length; i++)
        {
            tasks[i] = StatsOrNullAsync(silos[i].SiloAddress, cancellationToken);
        }

        var stats = await Task.WhenAll(tasks).ConfigureAwait(false);
        var members = new Member[silos.Count];
        for (var i = 0; i < members.Length; i++)
        {
            var address = silos[i].SiloAddress;
            members[i] = new Member(address, silos[i].Name, silos[i].Status, stats[i] ?? figures.Get(address), stats[i] is not null,
                stats[i] is not null ? DateTimeOffset.UtcNow : figures.ReceivedAt(address));
        }

        return members;
    }

    /// <summary>The model host of the silo named <paramref name="silo"/> (name or address), or this silo's for null.</summary>
    public async Task<(IModelHostService Host, string Name)?> FindModelHostAsync(string? silo, CancellationToken cancellationToken)
    {
        foreach (var member in await GetMembersAsync(cancellationToken).ConfigureAwait(false))
        {
            if (member.Status != SiloStatus.Active)
            {
                continue;
            }

            var matches = silo is null
                ? member.Address.Equals(localSilo.SiloAddress)
                : member.Name == silo || member.SiloName == silo || member.Address.ToParsableString() == silo || member.Address.ToString() == silo;
            if (matches)
            {
                return (hosts.ForSilo(member.Address), member.Name);
            }
        }

        return null;
    }

    public IModelHostService ModelHost(SiloAddress silo) => hosts.ForSilo(silo);

    private async Task<SiloStats?> StatsOrNullAsync(SiloAddress silo, CancellationToken cancellationToken)
    {
        try
        {
            return await hosts.ForSilo(silo).GetStats().WaitAsync(StatsTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException or OrleansException)
        {
            // A silo that does not answer is listed with its last known figures, as unreachable.
            return null;
        }
    }
}
