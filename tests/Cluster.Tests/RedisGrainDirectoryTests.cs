using Atelier.Runtime;
using Microsoft.Extensions.Options;

namespace Atelier.Cluster.Tests;

[Collection(RedisCollection.Name)]
public sealed class RedisGrainDirectoryTests(RedisServerFixture redis)
{
    private static readonly GrainId Grain = new("Atelier.ISessionGrain", "s-1");

    [Fact]
    public async Task Concurrent_registrations_from_three_silos_agree_on_one_winner()
    {
        var options = redis.NewOptions();
        await using var membership = redis.NewMembership(options);
        var directory = new RedisGrainDirectory(redis.Connection, membership, Options.Create(options));
        var silos = Enumerable.Range(0, 3).Select(i => new SiloAddress($"silo-{i}:1", 1)).ToArray();
        foreach (var silo in silos)
        {
            await membership.ReportLoadAsync(new SiloLoad(silo), default);
        }

        for (var key = 0; key < 20; key++)
        {
            var id = new GrainId("Atelier.ICounter", $"k{key}");
            var attempts = Enumerable.Range(0, 30).Select(i => new GrainAddress(id, silos[i % 3], Guid.NewGuid())).ToArray();

            var results = await Task.WhenAll(attempts.Select(a => Task.Run(async () => await directory.RegisterAsync(a, null, default))));

            var winner = Assert.Single(results.Distinct());
            Assert.Contains(winner, attempts);
            Assert.Equal(winner, await directory.LookupAsync(id, default));
        }
    }

    [Fact]
    public async Task Register_with_previous_replaces_only_that_exact_entry_and_unregister_only_removes_its_own()
    {
        var options = redis.NewOptions();
        await using var membership = redis.NewMembership(options);
        var directory = new RedisGrainDirectory(redis.Connection, membership, Options.Create(options));
        var a = new SiloAddress("a:1", 1);
        var b = new SiloAddress("b:1", 1);
        await membership.ReportLoadAsync(new SiloLoad(a), default);
        await membership.ReportLoadAsync(new SiloLoad(b), default);
        var first = new GrainAddress(Grain, a, Guid.NewGuid());
        var moved = new GrainAddress(Grain, b, Guid.NewGuid());
        Assert.Equal(first, await directory.RegisterAsync(first, null, default));

        Assert.Equal(first, await directory.RegisterAsync(moved, first with { ActivationId = Guid.NewGuid() }, default));
        Assert.Equal(moved, await directory.RegisterAsync(moved, first, default)); // migration: CAS on the exact entry
        Assert.False(await directory.UnregisterAsync(first, default));
        Assert.Equal(moved, await directory.LookupAsync(Grain, default));
        Assert.True(await directory.UnregisterAsync(moved, default));
        Assert.Null(await directory.LookupAsync(Grain, default));
    }

    [Fact]
    public async Task Entry_of_a_dead_silo_is_taken_over_and_a_live_silo_keeps_its_entry()
    {
        var options = redis.NewOptions();
        await using var membership = redis.NewMembership(options);
        var directory = new RedisGrainDirectory(redis.Connection, membership, Options.Create(options));
        var dead = new SiloAddress("dead:1", 1);
        var live = new SiloAddress("live:1", 1);
        var next = new SiloAddress("next:1", 1);
        foreach (var silo in new[] { dead, live, next })
        {
            await membership.ReportLoadAsync(new SiloLoad(silo), default);
            await membership.SetStatusAsync(silo, SiloStatus.Active, default);
        }

        var deadEntry = new GrainAddress(Grain, dead, Guid.NewGuid());
        var liveEntry = new GrainAddress(Grain with { Key = "s-2" }, live, Guid.NewGuid());
        await directory.RegisterAsync(deadEntry, null, default);
        await directory.RegisterAsync(liveEntry, null, default);
        await using (var other = redis.NewMembership(options))
        {
            await other.SetStatusAsync(dead, SiloStatus.Dead, default); // as declared by failure detection
        }

        await membership.RefreshAsync(default);
        var takeover = new GrainAddress(Grain, next, Guid.NewGuid());
        var contender = new GrainAddress(Grain, live, Guid.NewGuid());
        var results = await Task.WhenAll(directory.RegisterAsync(takeover, null, default).AsTask(), directory.RegisterAsync(contender, null, default).AsTask());
        Assert.Equal(results[0], results[1]); // exactly one of the two took the dead silo's entry
        Assert.NotEqual(dead, results[0].Silo);

        Assert.Equal(liveEntry, await directory.RegisterAsync(new GrainAddress(liveEntry.GrainId, next, Guid.NewGuid()), null, default));
    }

    [Fact]
    public async Task Unregister_silos_removes_only_entries_still_pointing_at_them()
    {
        var options = redis.NewOptions();
        await using var membership = redis.NewMembership(options);
        var directory = new RedisGrainDirectory(redis.Connection, membership, Options.Create(options));
        var gone = new SiloAddress("gone:1", 1);
        var stays = new SiloAddress("stays:1", 1);
        await membership.ReportLoadAsync(new SiloLoad(gone), default);
        await membership.ReportLoadAsync(new SiloLoad(stays), default);
        var ids = Enumerable.Range(0, 5).Select(i => new GrainId("Atelier.ICounter", $"u{i}")).ToArray();
        var entries = ids.Select(id => new GrainAddress(id, gone, Guid.NewGuid())).ToArray();
        foreach (var entry in entries)
        {
            await directory.RegisterAsync(entry, null, default);
        }

        var moved = new GrainAddress(ids[0], stays, Guid.NewGuid());
        await directory.RegisterAsync(moved, entries[0], default);
        var kept = new GrainAddress(new GrainId("Atelier.ICounter", "other"), stays, Guid.NewGuid());
        await directory.RegisterAsync(kept, null, default);

        await directory.UnregisterSilosAsync([gone], default);

        Assert.Equal(moved, await directory.LookupAsync(ids[0], default));
        Assert.Equal(kept, await directory.LookupAsync(kept.GrainId, default));
        foreach (var id in ids.Skip(1))
        {
            Assert.Null(await directory.LookupAsync(id, default));
        }
    }
}
