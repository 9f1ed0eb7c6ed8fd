using System.Collections.Concurrent;
using Atelier.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Atelier.Cluster;

/// <summary>
/// Direct failure detection, in the spirit of Orleans' membership oracle: every <see cref="ClusterOptions.ProbePeriod"/>
/// this silo pings the silos it watches (<see cref="RedisMembership.ProbeTargets"/>) over their internal HTTP/2 port;
/// after <see cref="ClusterOptions.MissedProbesLimit"/> consecutive misses (counted only once the silo has answered
/// this prober at least once: a starting silo is active in the table before its port listens) it writes a suspicion
/// (<see cref="RedisMembership.SuspectAsync"/>), and <see cref="ClusterOptions.SuspicionQuorum"/> suspicions from
/// distinct silos declare the silo dead. A silo that stopped answering but still heartbeats (hung request pipeline,
/// partitioned from its peers) is caught this way; the stale-heartbeat rule of <see cref="RedisMembership"/> remains
/// the fallback for clusters smaller than the quorum.
/// </summary>
internal sealed partial class FailureDetector(
    RedisMembership membership, Http2Transport transport, IOptions<ClusterOptions> options, ILogger<FailureDetector> logger)
    : BackgroundService
{
    private readonly ClusterOptions _options = options.Value;
    private readonly Dictionary<SiloAddress, int> _missed = [];
    private readonly ConcurrentDictionary<SiloAddress, bool> _answered = new();

    /// <summary>Probes of this silo that went unanswered, in total (for tests and diagnostics).</summary>
    public long MissedProbes { get; private set; }

    /// <summary>Whether <paramref name="silo"/> has answered a probe of this silo (from then on, misses count).</summary>
    public bool HasAnswered(SiloAddress silo) => _answered.ContainsKey(silo);

    /// <summary>One probe round: pings every watched silo once and writes the suspicions that are due.</summary>
    public async Task ProbeOnceAsync(CancellationToken cancellationToken)
    {
        if (membership.IsDeclaredDead)
        {
            return;
        }

        var targets = membership.ProbeTargets();
        var answers = await Task.WhenAll(targets.Select(t => transport.PingAsync(t, _options.ProbeTimeout, cancellationToken))).ConfigureAwait(false);
        for (var i = 0; i < targets.Count; i++)
        {
            var target = targets[i];
            if (answers[i])
            {
                _answered[target] = true;
                _missed.Remove(target);
                continue;
            }

            if (!_answered.ContainsKey(target))
            {
                // Never answered this silo yet: it may still be starting (active in the table before its port
                // listens). Until its first answer only the stale-heartbeat rule can declare it dead.
                continue;
            }

            MissedProbes++;
            var missed = _missed[target] = _missed.GetValueOrDefault(target) + 1;
            Log.ProbeMissed(logger, target, missed);
            if (missed >= _options.MissedProbesLimit)
            {
                _missed.Remove(target); // the next suspicion needs another full run of misses
                await membership.SuspectAsync(target, cancellationToken).ConfigureAwait(false);
            }
        }

        // Forget silos no longer watched (dead, left, or another silo now watches them).
        foreach (var silo in _missed.Keys.Where(s => !targets.Contains(s)).ToArray())
        {
            _missed.Remove(silo);
        }

        foreach (var silo in _answered.Keys)
        {
            if (membership.GetStatus(silo) == SiloStatus.Dead)
            {
                _answered.TryRemove(silo, out _);
            }
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.ProbePeriod);
        while (true)
        {
            try
            {
                if (!await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
                {
                    return;
                }

                await ProbeOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // Probing outlives any one failure (Redis unreachable while writing a suspicion): log, go on.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                Log.ProbeRoundFailed(logger, exception);
            }
        }
    }
}
