using Atelier.Runtime;
using StackExchange.Redis;

namespace Atelier.Cluster;

public sealed partial class RedisMembership
{
    /// <summary>This silo's address, once the runtime has reported it (null before).</summary>
    internal SiloAddress? Self => _self;

    /// <summary>
    /// The silos this one probes: the next <see cref="ClusterOptions.ProbedSilos"/> active or draining silos after it in
    /// address order, wrapping around, so that every silo is watched by that many others.
    /// </summary>
    internal IReadOnlyList<SiloAddress> ProbeTargets()
    {
        if (_self is not { } self)
        {
            return [];
        }

        var live = new List<SiloAddress>();
        foreach (var row in _view.Rows.Values)
        {
            if (row.Status is SiloStatus.Active or SiloStatus.ShuttingDown && row.Silo != self)
            {
                live.Add(row.Silo);
            }
        }

        live.Sort(static (a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));
        var me = self.ToString();
        var start = live.FindIndex(s => string.CompareOrdinal(s.ToString(), me) > 0);
        start = start < 0 ? 0 : start;
        var count = Math.Min(_options.ProbedSilos, live.Count);
        var targets = new SiloAddress[count];
        for (var i = 0; i < count; i++)
        {
            targets[i] = live[(start + i) % live.Count];
        }

        return targets;
    }

    /// <summary>
    /// Writes this silo's suspicion of <paramref name="silo"/> (it missed <see cref="ClusterOptions.MissedProbesLimit"/>
    /// probes) with the compare-and-set script on the table version; re-reads and re-judges when the version moved.
    /// Returns the new table version when this suspicion completed the quorum and declared the silo dead, 0 when it is
    /// dead or gone already (or nothing was written: just back from a Redis outage), otherwise -(10 + n) with n the
    /// unexpired suspicions counted.
    /// </summary>
    public async Task<long> SuspectAsync(SiloAddress silo, CancellationToken cancellationToken)
    {
        if (_self is not { } self)
        {
            throw new InvalidOperationException("This silo has not joined yet; it cannot suspect others.");
        }

        if (InOutageGrace)
        {
            return 0; // just back from a Redis outage: judge nobody yet (see InOutageGrace)
        }

        for (var attempt = 0; ; attempt++)
        {
            var version = _view.Version;
            var outcome = (long)await Db.ScriptEvaluateAsync(
                MembershipScripts.Suspect,
                [_keys.SiloRow(silo.ToString()), _keys.Version, _keys.Suspicions(silo.ToString())],
                [version, self.ToString(), (long)_options.SuspicionExpiry.TotalMilliseconds, _options.SuspicionQuorum,
                    (RedisValue)(string)_keys.Changed!, (long)_options.DeadRowRetention.TotalSeconds])
                .WithCancellation(cancellationToken).ConfigureAwait(false);
            if (outcome != -2 || attempt >= 5)
            {
                if (outcome > 0)
                {
                    Log.DeclaredDead(_logger, silo, outcome);
                    await RefreshAsync(cancellationToken).ConfigureAwait(false);
                }
                else if (outcome <= -10)
                {
                    Log.SuspicionWritten(_logger, silo, -outcome - 10);
                }

                return outcome;
            }

            // The table changed since this silo judged: re-read (the silo may be dead already) and judge again.
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
            if (GetStatus(silo) == SiloStatus.Dead)
            {
                return 0;
            }
        }
    }
}
