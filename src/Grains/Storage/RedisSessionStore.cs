using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Atelier.Grains.Storage;

/// <summary>
/// Sessions in Redis, one hash per session: <c>meta</c> (JSON: tenant, model, size, TTL, version pointer, idempotency
/// keys of the latest applied edits), <c>rev</c> (the record's revision: a write over another revision loses) and
/// <c>v0..vN</c> (the encoded image versions as raw bytes, never base64). The key expires with the session's TTL;
/// at most <see cref="RedisSessionStoreOptions.MaxVersions"/> versions are kept (oldest trimmed, the current one kept).
/// </summary>
public sealed class RedisSessionStore : ISessionStore
{
    private const string MetaField = "meta";
    private const string RevisionField = "rev";

    /// <summary>KEYS[1] the session; ARGV: expected revision, TTL seconds, then field/value pairs. Returns the new revision, or -1.</summary>
    private const string SaveScript = """
        local current = redis.call('HGET', KEYS[1], 'rev')
        if current and tonumber(current) ~= tonumber(ARGV[1]) then return -1 end
        local revision = tonumber(ARGV[1]) + 1
        redis.call('DEL', KEYS[1])
        redis.call('HSET', KEYS[1], 'rev', revision, unpack(ARGV, 3))
        redis.call('EXPIRE', KEYS[1], ARGV[2])
        return revision
        """;
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

    public async Task<long> SaveAsync(StoredSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentOutOfRangeException.ThrowIfLessThan(session.TtlSeconds, 1);
        var (first, count) = Window(session.Versions.Count, session.Current);
        var meta = new Meta(session.Tenant, session.Model, session.Width, session.Height, session.CreatedAt,
            session.TtlSeconds, session.FirstVersion + first, session.Current - first, count, [.. session.AppliedEdits]);
        var arguments = new RedisValue[2 + (2 * (count + 1))];
        arguments[0] = session.Revision;
        arguments[1] = session.TtlSeconds;
        arguments[2] = MetaField;
        arguments[3] = JsonSerializer.SerializeToUtf8Bytes(meta);
        for (var i = 0; i < count; i++)
        {
            arguments[4 + (2 * i)] = VersionField(i);
            arguments[5 + (2 * i)] = session.Versions[first + i];
        }

        // One script: readers never see a half-written session, the TTL is always set, and a write over a revision
        // other than the one this record was read at loses (another activation wrote since).
        var written = (long)await _redis.GetDatabase().ScriptEvaluateAsync(SaveScript, [Key(session.Id)], arguments)
            .WaitAsync(cancellationToken).OrUnavailable("session save").ConfigureAwait(false);
        return written >= 0
            ? written
            : throw new SessionStoreConflictException($"Session {session.Id} was written by another silo since revision {session.Revision}.");
    }

    public async Task<StoredSession?> LoadAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        var entries = await _redis.GetDatabase().HashGetAllAsync(Key(id)).WaitAsync(cancellationToken)
            .OrUnavailable("session load").ConfigureAwait(false);
        byte[]? metaBytes = null;
        long revision = 0;
        var versions = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (entry.Name == MetaField)
            {
                metaBytes = entry.Value;
            }
            else if (entry.Name == RevisionField)
            {
                revision = (long)entry.Value;
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
            Revision = revision,
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
