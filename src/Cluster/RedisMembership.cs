using System.Globalization;
using System.Text.Json;
using Atelier.Cluster.Diagnostics;
using Atelier.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Atelier.Cluster;

/// <summary>
/// Membership in a Redis table: one hash per silo (name, status, start, heartbeat, load), a table version bumped by
/// every status change and published on a channel. Every silo keeps a local view, re-read on each published change
/// and every <see cref="ClusterOptions.TableRefreshPeriod"/>; heartbeats every <see cref="ClusterOptions.HeartbeatPeriod"/>;
/// a silo whose heartbeat is older than <see cref="ClusterOptions.MissedHeartbeatsLimit"/> periods is declared dead
/// with a compare-and-set script. A silo that finds itself dead raises <see cref="DeclaredDead"/> and stops heartbeating.
/// It is also the <see cref="IHostedService"/> that runs these loops (register it before the runtime).
/// </summary>
public sealed partial class RedisMembership : IMembership, IHostedService, IAsyncDisposable
{
    /// <summary>Directory epoch written by a silo with activations still to register (never a real epoch).</summary>
    private const string PendingDirectory = "pending";
    private readonly IConnectionMultiplexer _redis;
    private readonly ClusterOptions _options;
    private readonly RedisKeys _keys;
    private readonly ILogger<RedisMembership> _logger;
    private readonly SemaphoreSlim _changed = new(0, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _writeLock = new();
    private volatile View _view = View.Empty;
    private SiloAddress? _self;
    private SiloLoad? _selfLoad;
    private bool _joined;
    private bool _left;
    private int _declaredDead;
    private string? _epoch;
    private string? _directoryEpoch;
    private long _recoveryStartedTimestamp;
    private SiloStatus _selfStatus = SiloStatus.Joining;
    private long _lastOutageTimestamp;
    private Task? _loop;
    private readonly ClusterMetrics? _metrics;

    public RedisMembership(IConnectionMultiplexer redis, IOptions<ClusterOptions> options, ILogger<RedisMembership> logger,
        System.Diagnostics.Metrics.IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis;
        _options = options.Value;
        _options.Validate();
        _keys = new RedisKeys(_options.KeyPrefix);
        _logger = logger;
        _metrics = ClusterMetrics.ForMembership(meterFactory, this);
    }

    /// <summary>Raised once when this silo finds its own row dead: it must stop serving (the host stops the process).</summary>
    public event EventHandler? DeclaredDead;

    /// <summary>
    /// Raised when Redis lost the membership table (restarted empty) and this silo wrote its row again: the
    /// directory entries of its activations must be registered again (see <see cref="DirectoryReassertion"/>).
    /// </summary>
    public event EventHandler? TableRecreated;

    /// <summary>Whether this silo has been declared dead by the cluster.</summary>
    public bool IsDeclaredDead => Volatile.Read(ref _declaredDead) != 0;

    /// <summary>The table version of the local view.</summary>
    public long ViewVersion => _view.Version;

    /// <summary>Every row of the local view (all statuses).</summary>
    public IReadOnlyCollection<MembershipRow> Rows => [.. _view.Rows.Values];

    /// <summary>The table epoch of the local view ('' before the first read of a table that has one).</summary>
    public string Epoch => _view.Epoch;

    /// <summary>
    /// Whether this silo serves activations the directory does not know yet (created during an outage): its row then
    /// says its directory entries are incomplete, so other silos do not trust a directory miss. Set by
    /// <see cref="DirectoryReassertion"/>.
    /// </summary>
    internal Func<bool>? DirectoryPending { get; set; }

    /// <summary>The table epoch this silo's latest heartbeat wrote into (null before the first heartbeat).</summary>
    internal string? RowEpoch => _epoch;

    /// <summary>
    /// Whether the directory holds every live activation of the cluster, as far as the local view knows: false after
    /// Redis restarted empty until every live silo has written its row again and registered its activations again
    /// (its row's <see cref="MembershipRow.DirectoryEpoch"/> is the table's epoch). While false, a directory miss
    /// proves nothing: the grain may be alive on a silo that has not re-registered it yet.
    /// </summary>
    public bool IsDirectoryComplete => _view.DirectoryComplete;

    /// <summary>
    /// Records that every activation of this silo is registered in the directory of table epoch
    /// <paramref name="epoch"/> (after <see cref="TableRecreated"/>), and writes it into this silo's row now.
    /// </summary>
    public async Task MarkDirectoryCompleteAsync(string epoch, CancellationToken cancellationToken)
    {
        _directoryEpoch = epoch;
        if (_selfLoad is { } load && !_left && !IsDeclaredDead)
        {
            await HeartbeatAsync(load, cancellationToken).ConfigureAwait(false);
        }

        await RefreshAsync(cancellationToken).ConfigureAwait(false);
    }

    private IDatabase Db => _redis.GetDatabase();

    /// <inheritdoc />
    public async ValueTask SetStatusAsync(SiloAddress silo, SiloStatus status, CancellationToken cancellationToken)
    {
        var address = silo.ToString();
        RememberSelf(silo);
        var result = (long)await Db.ScriptEvaluateAsync(
            MembershipScripts.WriteStatus,
            [_keys.SiloRow(address), _keys.Silos, _keys.Version, _keys.Epoch],
            [address, (int)status, _options.SiloName, (RedisValue)(string)_keys.Changed!, (long)_options.DeadRowRetention.TotalSeconds,
                _directoryEpoch ?? (_joined ? "" : "*")])
            .WithCancellation(cancellationToken).ConfigureAwait(false);
        if (result == -1 && status != SiloStatus.Dead)
        {
            OnSelfDead();
        }

        lock (_writeLock)
        {
            _joined = true;
            _left |= status == SiloStatus.Dead;
            if (silo == _self && status > _selfStatus)
            {
                _selfStatus = status;
            }
        }

        Log.StatusWritten(_logger, silo, status, result);
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask ReportLoadAsync(SiloLoad load, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(load);
        RememberSelf(load.Silo);
        if (load.Silo == _self)
        {
            _selfLoad = load;
        }

        var created = !_view.Rows.ContainsKey(load.Silo);
        try
        {
            await HeartbeatAsync(load, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (RedisFailures.IsOutage(exception))
        {
            MarkOutage();
            throw;
        }

        if (created)
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<SiloLoad> GetActiveSilos() => _view.Active;

    /// <inheritdoc />
    public SiloStatus GetStatus(SiloAddress silo) =>
        _view.Rows.TryGetValue(silo, out var row) ? row.Status : SiloStatus.Dead;

    /// <summary>
    /// Whether <paramref name="silo"/> is dead for sure: its row says so, or it has no row even after a fresh read
    /// (expired long after death, or never joined). A silo merely missing from a stale local view is not dead.
    /// </summary>
    public async ValueTask<bool> IsDeadAsync(SiloAddress silo, CancellationToken cancellationToken)
    {
        if (_view.Rows.TryGetValue(silo, out var row))
        {
            return row.Status == SiloStatus.Dead;
        }

        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        return !_view.Rows.TryGetValue(silo, out row) || row.Status == SiloStatus.Dead;
    }

    /// <summary>Re-reads the whole table into the local view.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(
            MembershipScripts.ReadTable, [_keys.Silos, _keys.Version, _keys.Epoch], [_keys.SiloRowPrefix])
            .WithCancellation(cancellationToken).OrUnavailable("membership read").ConfigureAwait(false))!;
        var version = long.Parse((string)result[0]!, CultureInfo.InvariantCulture);
        var now = long.Parse((string)result[1]!, CultureInfo.InvariantCulture);
        var epoch = (string)result[2]!;
        var rows = new Dictionary<SiloAddress, MembershipRow>();
        for (var i = 3; i + 1 < result.Length; i += 2)
        {
            var silo = SiloAddress.Parse((string)result[i]!);
            rows[silo] = ParseRow(silo, (RedisResult[])result[i + 1]!);
        }

        lock (_writeLock)
        {
            // Views may be read concurrently (loop, pub/sub, writes): never go back to an older version, unless the
            // table itself is new (Redis restarted empty: versions start again).
            var previous = _view;
            if (version >= previous.Version || !string.Equals(epoch, previous.Epoch, StringComparison.Ordinal))
            {
                CarryOver(previous, epoch, rows);
                var view = new View(version, now, rows) { Epoch = epoch };
                _metrics?.ViewChanged(previous.Rows, rows);
                _view = view;
            }
        }

        if (_self is { } self && rows.TryGetValue(self, out var own) && own.Status == SiloStatus.Dead && !_left)
        {
            OnSelfDead();
        }
    }

    /// <summary>
    /// Declares dead every silo whose heartbeat (Redis clock) is older than the limit, each with the compare-and-set
    /// script on the version of the view it was judged on. Returns the silos this call declared dead.
    /// </summary>
    public async Task<IReadOnlyList<SiloAddress>> DetectFailuresAsync(CancellationToken cancellationToken)
    {
        if (InOutageGrace)
        {
            return []; // every heartbeat is stale after an outage: let them resume before judging anyone
        }

        var maxAgeMs = (long)(_options.HeartbeatPeriod.TotalMilliseconds * _options.MissedHeartbeatsLimit);
        List<SiloAddress>? declared = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var view = _view;
            var retry = false;
            foreach (var row in view.Rows.Values)
            {
                if (row.Status == SiloStatus.Dead || row.Carried || row.Silo == _self || view.NowMs - row.HeartbeatAtMs < maxAgeMs)
                {
                    continue;
                }

                Log.Suspected(_logger, row.Silo, view.NowMs - row.HeartbeatAtMs);
                var outcome = await TryDeclareDeadAsync(row.Silo, view.Version, cancellationToken).ConfigureAwait(false);
                if (outcome > 0)
                {
                    (declared ??= []).Add(row.Silo);
                    Log.DeclaredDead(_logger, row.Silo, outcome);
                }

                if (outcome == -2 || outcome > 0)
                {
                    retry = true;
                    break;
                }
            }

            await RefreshAsync(cancellationToken).ConfigureAwait(false);
            if (!retry)
            {
                break;
            }
        }

        return declared is null ? [] : declared;
    }

    /// <summary>
    /// Runs the declare-dead compare-and-set script for <paramref name="silo"/> against <paramref name="expectedVersion"/>.
    /// Returns the new table version, 0 (already dead or gone), -1 (heartbeat is recent) or -2 (version changed).
    /// </summary>
    public async Task<long> TryDeclareDeadAsync(SiloAddress silo, long expectedVersion, CancellationToken cancellationToken)
    {
        var maxAgeMs = (long)(_options.HeartbeatPeriod.TotalMilliseconds * _options.MissedHeartbeatsLimit);
        return (long)await Db.ScriptEvaluateAsync(
            MembershipScripts.DeclareDead,
            [_keys.SiloRow(silo.ToString()), _keys.Version],
            [expectedVersion, maxAgeMs, (RedisValue)(string)_keys.Changed!, (long)_options.DeadRowRetention.TotalSeconds])
            .WithCancellation(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Subscribes to table changes, reads the table and starts the heartbeat/refresh loop.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _redis.GetSubscriber().SubscribeAsync(_keys.Changed, (_, _) => Signal())
            .WithCancellation(cancellationToken).ConfigureAwait(false);
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
    }

    /// <summary>Stops the loop (the runtime writes the final status itself before this runs).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        if (_loop is { } loop)
        {
            await loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await _redis.GetSubscriber().UnsubscribeAsync(_keys.Changed).WithCancellation(cancellationToken).ConfigureAwait(false);
        }
        catch (RedisException exception)
        {
            Log.LoopFailed(_logger, exception);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
        _changed.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var nextHeartbeat = DateTime.UtcNow;
        var nextRefresh = DateTime.UtcNow + _options.TableRefreshPeriod;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var now = DateTime.UtcNow;
                if (now >= nextHeartbeat)
                {
                    nextHeartbeat = now + _options.HeartbeatPeriod;
                    if (_selfLoad is { } load && !_left && !IsDeclaredDead)
                    {
                        await HeartbeatAsync(load, cancellationToken).ConfigureAwait(false);
                    }
                }

                if (now >= nextRefresh)
                {
                    nextRefresh = now + _options.TableRefreshPeriod;
                    await RefreshAsync(cancellationToken).ConfigureAwait(false);
                    if (!IsDeclaredDead)
                    {
                        await DetectFailuresAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                var wait = (nextHeartbeat < nextRefresh ? nextHeartbeat : nextRefresh) - DateTime.UtcNow;
                if (await _changed.WaitAsync(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, cancellationToken).ConfigureAwait(false))
                {
                    await RefreshAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The loop outlives any one failure (Redis unreachable, timeouts): log and go on.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                if (RedisFailures.IsOutage(exception))
                {
                    MarkOutage();
                }

                Log.LoopFailed(_logger, exception);
                try
                {
                    await Task.Delay(_options.HeartbeatPeriod, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task HeartbeatAsync(SiloLoad load, CancellationToken cancellationToken)
    {
        bool joined;
        lock (_writeLock)
        {
            if (_left)
            {
                return;
            }

            joined = _joined;
        }

        var address = load.Silo.ToString();
        var json = JsonSerializer.Serialize(LoadDto.From(load));
        var answer = (RedisResult[])(await Db.ScriptEvaluateAsync(
            MembershipScripts.Heartbeat,
            [_keys.SiloRow(address), _keys.Silos, _keys.Version, _keys.Epoch],
            [address, json, _options.SiloName, (RedisValue)(string)_keys.Changed!, joined ? "1" : "0",
                _epoch ?? "", Guid.NewGuid().ToString("N"), (int)_selfStatus,
                DirectoryPending?.Invoke() == true ? PendingDirectory : _directoryEpoch ?? ""])
            .WithCancellation(cancellationToken).ConfigureAwait(false))!;
        var result = (long)answer[0];
        var previousEpoch = _epoch;
        _epoch = (string)answer[1]!;
        if (result == 1 && _directoryEpoch is null)
        {
            _directoryEpoch = _epoch; // the first table this silo is in: it had no activations to register before
        }

        if (result == -1)
        {
            OnSelfDead();
        }
        else if (result == 2)
        {
            // Redis lost the table (restarted empty): this silo's row is back; its directory entries must follow.
            Log.TableRecreated(_logger, load.Silo, previousEpoch, _epoch);
            TableRecreated?.Invoke(this, EventArgs.Empty);
        }
    }

    private void RememberSelf(SiloAddress silo) => _self ??= silo;

    /// <summary>
    /// After Redis restarted empty the new table fills up one heartbeat at a time. Until the recovery grace (the
    /// heartbeat limit) has passed, silos of the previous view that are missing from the new table stay in the view,
    /// marked <see cref="MembershipRow.Carried"/>: they are most likely alive and about to write their rows again.
    /// A silo that does not come back within the grace leaves the view (and is then dead to <see cref="IsDeadAsync"/>).
    /// </summary>
    private void CarryOver(View previous, string epoch, Dictionary<SiloAddress, MembershipRow> rows)
    {
        var now = TimeProvider.System.GetTimestamp();
        if (!string.Equals(epoch, previous.Epoch, StringComparison.Ordinal) && previous.Rows.Count > 0)
        {
            _recoveryStartedTimestamp = now; // the table was lost (again): a new grace starts
        }

        if (_recoveryStartedTimestamp == 0
            || TimeProvider.System.GetElapsedTime(_recoveryStartedTimestamp, now) >= _options.HeartbeatPeriod * (_options.MissedHeartbeatsLimit + 1))
        {
            return;
        }

        foreach (var (silo, row) in previous.Rows)
        {
            if (row.Status != SiloStatus.Dead && !rows.ContainsKey(silo))
            {
                rows[silo] = row with { Carried = true };
            }
        }
    }

    /// <summary>
    /// True until the heartbeat limit has passed since this silo last failed to reach Redis. After an outage every
    /// heartbeat in the table is stale (none could be written), so nobody is judged until all silos had time to
    /// heartbeat again; otherwise the first silo to reconnect would declare the whole cluster dead.
    /// </summary>
    internal bool InOutageGrace
    {
        get
        {
            var last = Interlocked.Read(ref _lastOutageTimestamp);
            return last != 0 && TimeProvider.System.GetElapsedTime(last) < _options.HeartbeatPeriod * (_options.MissedHeartbeatsLimit + 1);
        }
    }

    private void MarkOutage() => Interlocked.Exchange(ref _lastOutageTimestamp, TimeProvider.System.GetTimestamp());

    private void Signal()
    {
        try
        {
            _changed.Release();
        }
        catch (SemaphoreFullException)
        {
            // A refresh is already pending.
        }
        catch (ObjectDisposedException)
        {
            // Disposed while a message was in flight.
        }
    }

    private void OnSelfDead()
    {
        if (Interlocked.Exchange(ref _declaredDead, 1) == 0)
        {
            Log.SelfDeclaredDead(_logger, _self);
            DeclaredDead?.Invoke(this, EventArgs.Empty);
        }
    }

    private static MembershipRow ParseRow(SiloAddress silo, RedisResult[] fields)
    {
        string name = "", directoryEpoch = "";
        var status = SiloStatus.Joining;
        long started = 0, heartbeat = 0;
        var load = new SiloLoad(silo);
        for (var i = 0; i + 1 < fields.Length; i += 2)
        {
            var value = (string)fields[i + 1]!;
            switch ((string)fields[i]!)
            {
                case "name": name = value; break;
                case "status": status = (SiloStatus)int.Parse(value, CultureInfo.InvariantCulture); break;
                case "started": started = long.Parse(value, CultureInfo.InvariantCulture); break;
                case "heartbeat": heartbeat = long.Parse(value, CultureInfo.InvariantCulture); break;
                case "dir": directoryEpoch = value; break;
                case "load": load = JsonSerializer.Deserialize<LoadDto>(value)?.ToLoad(silo) ?? load; break;
            }
        }

        return new MembershipRow(silo, name, status, started, heartbeat, load) { DirectoryEpoch = directoryEpoch };
    }

    private sealed record View(long Version, long NowMs, IReadOnlyDictionary<SiloAddress, MembershipRow> Rows)
    {
        public string Epoch { get; init; } = "";

        public static readonly View Empty = new(-1, 0, new Dictionary<SiloAddress, MembershipRow>());

        public SiloLoad[] Active { get; } = [.. Rows.Values.Where(r => r.Status == SiloStatus.Active)
            .Select(r => r.Load).OrderBy(l => l.Silo.ToString(), StringComparer.Ordinal)];

        /// <summary>No carried row, and every live row has registered its activations in this epoch's directory.</summary>
        public bool DirectoryComplete => Rows.Values.All(r => r.Status == SiloStatus.Dead
            || (!r.Carried && string.Equals(r.DirectoryEpoch, Epoch, StringComparison.Ordinal)));
    }

    private sealed record LoadDto(int Activations, int QueueLength, long DeviceBytesUsed, long DeviceBytesBudget, string[] ResidentModels)
    {
        public static LoadDto From(SiloLoad load) =>
            new(load.Activations, load.QueueLength, load.DeviceBytesUsed, load.DeviceBytesBudget, [.. load.ResidentModels]);

        public SiloLoad ToLoad(SiloAddress silo) => new(silo)
        {
            Activations = Activations,
            QueueLength = QueueLength,
            DeviceBytesUsed = DeviceBytesUsed,
            DeviceBytesBudget = DeviceBytesBudget,
            ResidentModels = ResidentModels,
        };
    }
}
