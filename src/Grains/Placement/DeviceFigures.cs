using System.Collections.Concurrent;
using Atelier.Grains.Hosting;
using Atelier.Grains.Models;
using Atelier.Grains.Sessions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Atelier.Grains.Placement;

/// <summary>
/// This silo's cached view of every active silo's device figures (free/used/budget bytes, resident models, sessions,
/// queue). Orleans has no GPU signal, so each silo answers its own through its <see cref="IModelHostService"/>; this
/// service polls the active silos every <see cref="PlacementOptions.RefreshPeriod"/> and the placement director (which
/// runs on the ingress silo) reads the cache. The local silo's figures are read directly, never stale.
/// </summary>
public sealed partial class DeviceFigures(
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    IModelHostServiceClient hosts,
    ModelHost host,
    SessionRegistry sessions,
    SiloIdentity identity,
    IOptions<PlacementOptions> options,
    TimeProvider time,
    ILogger<DeviceFigures> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<SiloAddress, Entry> _figures = new();
    private readonly ConcurrentDictionary<SiloAddress, bool> _unreachable = new();

    /// <summary>A silo's last answer and when it arrived.</summary>
    public readonly record struct Entry(SiloStats Stats, DateTimeOffset At);

    /// <summary>The figures of <paramref name="silo"/>: live for this silo, else the last polled answer (null before the first).</summary>
    public SiloStats? Get(SiloAddress silo) =>
        silo.Equals(localSilo.SiloAddress) ? ModelHostService.Stats(host, sessions, identity)
        : _figures.TryGetValue(silo, out var entry) ? entry.Stats : null;

    /// <summary>
    /// Whether the last poll of <paramref name="silo"/> failed: killed or cut off, though membership may still list it as
    /// active until the cluster declares it dead. Placement avoids such silos.
    /// </summary>
    public bool IsUnreachable(SiloAddress silo) => _unreachable.ContainsKey(silo);

    /// <summary>When the figures of <paramref name="silo"/> were last received (null for never; now for this silo).</summary>
    public DateTimeOffset? ReceivedAt(SiloAddress silo) =>
        silo.Equals(localSilo.SiloAddress) ? time.GetUtcNow() : _figures.TryGetValue(silo, out var entry) ? entry.At : null;

    /// <summary>Polls every active silo once now (also what each refresh does).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var members = membership.CurrentSnapshot.Members.Values;
        var polls = new List<Task>();
        foreach (var member in members)
        {
            if (member.Status != SiloStatus.Active)
            {
                _figures.TryRemove(member.SiloAddress, out _);
                _unreachable.TryRemove(member.SiloAddress, out _);
            }
            else if (!member.SiloAddress.Equals(localSilo.SiloAddress))
            {
                polls.Add(PollAsync(member.SiloAddress, cancellationToken));
            }
        }

        await Task.WhenAll(polls).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RefreshPeriod, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            await RefreshAsync(stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task PollAsync(SiloAddress silo, CancellationToken cancellationToken)
    {
        try
        {
            var stats = await hosts.ForSilo(silo).GetStats().WaitAsync(options.Value.RefreshPeriod * 5, cancellationToken).ConfigureAwait(false);
            _figures[silo] = new Entry(stats, time.GetUtcNow());
            _unreachable.TryRemove(silo, out _);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Not up yet, or dying: its last figures stay until membership says it is gone; placement avoids it meanwhile.
            _unreachable[silo] = true;
            LogPollFailed(logger, silo, e.GetType().Name);
        }
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Debug, Message = "Device figures of silo {Silo} could not be read ({Error}).")]
    private static partial void LogPollFailed(ILogger logger, SiloAddress silo, string error);
}
