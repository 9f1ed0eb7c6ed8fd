using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Atelier.Grains.Storage;

/// <summary>
/// Sessions in Redis, one hash per session: <c>meta</c> (JSON: tenant, model, size, TTL, version pointer, idempotency
/// keys of the latest applied edits) and
/// <c>v0..vN</c> (the encoded image versions as raw bytes, never base64). The key expires with the session's TTL;
/// at most <see cref="RedisSessionStoreOptions.MaxVersions"/> versions are kept (oldest trimmed, the current one kept).
/// </summary>
public sealed class RedisSessionStore : ISessionStore
{
    private const string MetaField = "meta";
    private readonly IConnectionMultiplexer _redis;
    private readonly string _keyPrefix;
    private readonly int _maxVersions;

    public RedisSessionStore(IConnectionMultiplexer redis, IOptions<RedisSessionStoreOptions> options)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis;
        _keyPrefix = options.Value.KeyPrefix + ":session:";
        _maxVersions = options.Value.MaxVersions;
    }

    public async Task SaveAsync(StoredSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentOutOfRangeException.ThrowIfLessThan(session.TtlSeconds, 1);
        var (first, count) = Window(session.Versions.Count, session.Current);
        var fields = new HashEntry[count + 1];
        var meta = new Meta(session.Tenant, session.Model, session.Width, session.Height, session.CreatedAt,
            session.TtlSeconds, session.FirstVersion + first, session.Current - first, count, [.. session.AppliedEdits]);
        fields[0] = new HashEntry(MetaField, JsonSerializer.SerializeToUtf8Bytes(meta));
        for (var i = 0; i < count; i++)
        {
            fields[i + 1] = new HashEntry(VersionField(i), session.Versions[first + i]);
        }

        // One MULTI/EXEC: readers never see a half-written session, and the TTL is always set.
        var key = Key(session.Id);
        var transaction = _redis.GetDatabase().CreateTransaction();
        _ = transaction.KeyDeleteAsync(key);
        _ = transaction.HashSetAsync(key, fields);
        _ = transaction.KeyExpireAsync(key, TimeSpan.FromSeconds(session.TtlSeconds));
        if (!await transaction.ExecuteAsync().WaitAsync(cancellationToken).OrUnavailable("session save").ConfigureAwait(false))
        {
            throw new InvalidOperationException($"Session {session.Id} could not be saved.");
        }
    }

    public async Task<StoredSession?> LoadAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        var entries = await _redis.GetDatabase().HashGetAllAsync(Key(id)).WaitAsync(cancellationToken)
            .OrUnavailable("session load").ConfigureAwait(false);
        byte[]? metaBytes = null;
        var versions = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (entry.Name == MetaField)
            {
                metaBytes = entry.Value;
            }
            else
            {
                versions[entry.Name!] = entry.Value!;
            }
        }

        if (metaBytes is null || JsonSerializer.Deserialize<Meta>(metaBytes) is not { } meta)
        {
            return null;
        }

        var list = new byte[meta.Count][];
        for (var i = 0; i < meta.Count; i++)
        {
            if (!versions.TryGetValue(VersionField(i), out var bytes))
            {
                throw new InvalidDataException($"Session {id} is missing version {i} in the store.");
            }

            list[i] = bytes;
        }

        return new StoredSession
        {
            Id = id,
            Tenant = meta.Tenant,
            Model = meta.Model,
            Width = meta.Width,
            Height = meta.Height,
            CreatedAt = meta.CreatedAt,
            TtlSeconds = meta.TtlSeconds,
            FirstVersion = meta.FirstVersion,
            Current = meta.Current,
            Versions = list,
            AppliedEdits = meta.AppliedEdits ?? [],
        };
    }

    public Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _redis.GetDatabase().KeyDeleteAsync(Key(id)).WaitAsync(cancellationToken).OrUnavailable("session delete");
    }

    /// <summary>The versions kept: the newest <c>max</c>, moved back if needed so the current one stays inside.</summary>
    internal (int First, int Count) Window(int total, int current)
    {
        if (total <= _maxVersions)
        {
            return (0, total);
        }

        var first = Math.Min(total - _maxVersions, Math.Max(0, current));
        return (first, _maxVersions);
    }

    private RedisKey Key(string id) => _keyPrefix + id;

    private static string VersionField(int index) => "v" + index.ToString(CultureInfo.InvariantCulture);

    private sealed record Meta(string? Tenant, string Model, int Width, int Height, DateTimeOffset CreatedAt,
        int TtlSeconds, int FirstVersion, int Current, int Count, AppliedEdit[]? AppliedEdits);
}
