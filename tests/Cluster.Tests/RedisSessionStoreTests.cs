using Atelier.Grains.Storage;
using Microsoft.Extensions.Options;

namespace Atelier.Cluster.Tests;

[Collection(RedisCollection.Name)]
public sealed class RedisSessionStoreTests(RedisServerFixture redis)
{
    [Fact]
    public async Task Saved_session_round_trips_with_raw_version_bytes_and_the_session_ttl()
    {
        var options = new RedisSessionStoreOptions { KeyPrefix = redis.NewPrefix("store") };
        var store = new RedisSessionStore(redis.Connection, Options.Create(options));
        var upload = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 31)).ToArray();
        var edit = new byte[] { 0, 1, 2, 255, 0 };
        var session = new StoredSession
        {
            Id = "s-42",
            Tenant = "acme",
            Model = "isnet-small",
            Width = 640,
            Height = 480,
            CreatedAt = new DateTimeOffset(2026, 11, 22, 1, 2, 3, TimeSpan.Zero),
            TtlSeconds = 600,
            FirstVersion = 3,
            Current = 1,
            Versions = [upload, edit],
            AppliedEdits = [new AppliedEdit("key-1", "erase", 4)],
        };

        var revision = await store.SaveAsync(session, default);
        var loaded = await store.LoadAsync("s-42", default);

        Assert.NotNull(loaded);
        Assert.Equal(1, revision);
        Assert.Equal(session with { Versions = loaded.Versions, AppliedEdits = loaded.AppliedEdits, Revision = 1 }, loaded);
        Assert.Equal(session.AppliedEdits, loaded.AppliedEdits); // idempotency keys survive a failover
        Assert.Equal(upload, loaded.Versions[0]);
        Assert.Equal(edit, loaded.Versions[1]);
        var key = $"{options.KeyPrefix}:session:s-42";
        var ttl = await redis.Connection.GetDatabase().KeyTimeToLiveAsync(key);
        Assert.InRange(ttl!.Value.TotalSeconds, 590, 600);
        Assert.Equal(upload, (byte[])(await redis.Connection.GetDatabase().HashGetAsync(key, "v0"))!); // raw bytes, not base64
    }

    [Fact]
    public async Task A_write_over_a_revision_another_writer_replaced_loses_and_changes_nothing()
    {
        var options = new RedisSessionStoreOptions { KeyPrefix = redis.NewPrefix("store") };
        var store = new RedisSessionStore(redis.Connection, Options.Create(options));
        var opened = Session("forked", ttl: 600, versions: 1, current: 0) with { Revision = await store.SaveAsync(Session("forked", ttl: 600, versions: 1, current: 0), default) };
        var newOwner = (await store.LoadAsync("forked", default))!;
        var staleOwner = opened; // both read revision 1

        Assert.Equal(2, await store.SaveAsync(newOwner with { Versions = [[1], [2]], Current = 1 }, default));
        await Assert.ThrowsAsync<SessionStoreConflictException>(() => store.SaveAsync(staleOwner with { Versions = [[1], [9]], Current = 1 }, default));

        var stored = (await store.LoadAsync("forked", default))!;
        Assert.Equal((2L, 1), (stored.Revision, stored.Current));
        Assert.Equal(new byte[] { 2 }, stored.Versions[1]); // the new owner's edit, not the stale one's
    }

    [Fact]
    public async Task Session_expires_with_its_ttl_and_delete_removes_it()
    {
        var options = new RedisSessionStoreOptions { KeyPrefix = redis.NewPrefix("store") };
        var store = new RedisSessionStore(redis.Connection, Options.Create(options));
        await store.SaveAsync(Session("short", ttl: 1, versions: 1, current: 0), default);
        await store.SaveAsync(Session("deleted", ttl: 600, versions: 1, current: 0), default);
        Assert.NotNull(await store.LoadAsync("short", default));

        await store.DeleteAsync("deleted", default);
        await Eventually.UntilAsync(async () => await store.LoadAsync("short", default) is null, () => "the 1 s TTL to expire the session");

        Assert.Null(await store.LoadAsync("deleted", default));
        Assert.Null(await store.LoadAsync("never", default));
    }

    [Fact]
    public async Task Versions_beyond_the_bound_are_trimmed_oldest_first_keeping_the_current_one()
    {
        var options = new RedisSessionStoreOptions { KeyPrefix = redis.NewPrefix("store") };
        options.MaxVersions = 3;
        var store = new RedisSessionStore(redis.Connection, Options.Create(options));

        await store.SaveAsync(Session("latest", ttl: 60, versions: 6, current: 5), default);
        await store.SaveAsync(Session("undone", ttl: 60, versions: 6, current: 1), default);
        var latest = await store.LoadAsync("latest", default);
        var undone = await store.LoadAsync("undone", default);

        Assert.NotNull(latest);
        Assert.Equal([[3], [4], [5]], latest.Versions);
        Assert.Equal(3, latest.FirstVersion);
        Assert.Equal(2, latest.Current);
        Assert.NotNull(undone);
        Assert.Equal([[1], [2], [3]], undone.Versions);
        Assert.Equal(1, undone.FirstVersion);
        Assert.Equal(0, undone.Current);
    }

    private static StoredSession Session(string id, int ttl, int versions, int current) => new()
    {
        Id = id,
        Model = "isnet-small",
        Width = 1,
        Height = 1,
        CreatedAt = DateTimeOffset.UnixEpoch,
        TtlSeconds = ttl,
        Current = current,
        Versions = [.. Enumerable.Range(0, versions).Select(i => new[] { (byte)i })],
    };
}
