using System.Globalization;
using Atelier.Runtime;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Atelier.Cluster;

/// <summary>
/// The grain directory in Redis: one string per grain (<c>silo|activation</c>), written only through compare-and-set
/// scripts. An entry pointing at a silo that membership knows to be dead is taken over atomically by the next
/// registration (compare-and-set on the exact dead entry seen). Lookups go to Redis; the runtime keeps the per-silo
/// cache of remote entries and drops an entry when its owner answers "not here". While Redis is unreachable every
/// operation throws <see cref="ClusterUnavailableException"/> (the API answers 503 + Retry-After).
/// </summary>
public sealed class RedisGrainDirectory : IGrainDirectory
{
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisMembership _membership;
    private static readonly TimeSpan RecoveryPollPeriod = TimeSpan.FromMilliseconds(50);
    private readonly RedisKeys _keys;
    private readonly TimeSpan _recoveryTimeout;

    public RedisGrainDirectory(IConnectionMultiplexer redis, RedisMembership membership, IOptions<ClusterOptions> options)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(membership);
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis;
        _membership = membership;
        _keys = new RedisKeys(options.Value.KeyPrefix);
        _recoveryTimeout = options.Value.DirectoryRecoveryTimeout;
    }

    private IDatabase Db => _redis.GetDatabase();

    /// <inheritdoc />
    /// <remarks>
    /// A miss is only trusted while the directory is complete: after Redis restarted empty, live silos register their
    /// activations again one by one, and until they all have (<see cref="RedisMembership.IsDirectoryComplete"/>) a miss
    /// may be a session alive elsewhere. Such a lookup waits for the entry or for completeness, up to
    /// <see cref="ClusterOptions.DirectoryRecoveryTimeout"/>, then answers <see cref="ClusterUnavailableException"/>.
    /// The entry is read with the table epoch, so a silo whose view predates the restart notices it on its next miss.
    /// </remarks>
    public async ValueTask<GrainAddress?> LookupAsync(GrainId grainId, CancellationToken cancellationToken)
    {
        var key = _keys.Entry(grainId.ToString());
        var deadline = TimeProvider.System.GetTimestamp() + (long)(_recoveryTimeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (true)
        {
            var values = await Db.StringGetAsync([key, _keys.Epoch]).WithCancellation(cancellationToken)
                .OrUnavailable("directory lookup").ConfigureAwait(false);
            if (!values[0].IsNull)
            {
                return Parse(grainId, values[0]!);
            }

            if (!string.Equals((string?)values[1] ?? "", _membership.Epoch, StringComparison.Ordinal))
            {
                await _membership.RefreshAsync(cancellationToken).ConfigureAwait(false);
            }

            if (_membership.IsDirectoryComplete)
            {
                return null;
            }

            if (TimeProvider.System.GetTimestamp() >= deadline)
            {
                throw new ClusterUnavailableException(
                    $"The grain directory is being rebuilt after Redis lost its data; {grainId} cannot be located yet.");
            }

            await Task.Delay(RecoveryPollPeriod, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask<GrainAddress> RegisterAsync(GrainAddress address, GrainAddress? previous, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        var grain = address.GrainId.ToString();
        var wanted = Format(address);
        var expected = previous is null ? "" : Format(previous);
        while (true)
        {
            var held = (string)(await Db.ScriptEvaluateAsync(
                DirectoryScripts.Register,
                [_keys.Entry(grain), _keys.SiloIndex(address.Silo.ToString())],
                [wanted, expected, grain, _keys.SiloIndexPrefix])
                .WithCancellation(cancellationToken).OrUnavailable("directory registration").ConfigureAwait(false))!;
            if (held == wanted)
            {
                return address;
            }

            var existing = Parse(address.GrainId, held);
            if (existing.Silo == address.Silo || held == expected
                || !await _membership.IsDeadAsync(existing.Silo, cancellationToken).ConfigureAwait(false))
            {
                return existing;
            }

            // The holder is dead: take its entry over, compare-and-set on exactly what was seen.
            expected = held;
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> UnregisterAsync(GrainAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        var grain = address.GrainId.ToString();
        var removed = (long)await Db.ScriptEvaluateAsync(
            DirectoryScripts.Unregister,
            [_keys.Entry(grain), _keys.SiloIndex(address.Silo.ToString())],
            [Format(address), grain])
            .WithCancellation(cancellationToken).OrUnavailable("directory unregistration").ConfigureAwait(false);
        return removed == 1;
    }

    /// <inheritdoc />
    public async ValueTask UnregisterSilosAsync(IReadOnlyCollection<SiloAddress> silos, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(silos);
        foreach (var silo in silos)
        {
            var address = silo.ToString();
            await Db.ScriptEvaluateAsync(
                DirectoryScripts.UnregisterSilo, [_keys.SiloIndex(address)], [address + "|", _keys.EntryPrefix])
                .WithCancellation(cancellationToken).ConfigureAwait(false);
        }
    }

    internal static string Format(GrainAddress address) =>
        string.Create(CultureInfo.InvariantCulture, $"{address.Silo}|{address.ActivationId:N}");

    private static GrainAddress Parse(GrainId grainId, string value)
    {
        var bar = value.LastIndexOf('|');
        if (bar <= 0 || !Guid.TryParseExact(value.AsSpan(bar + 1), "N", out var activation))
        {
            throw new InvalidDataException($"Directory entry of {grainId} is malformed.");
        }

        return new GrainAddress(grainId, SiloAddress.Parse(value[..bar]), activation);
    }
}
