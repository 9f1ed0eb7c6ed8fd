using Atelier.Runtime;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Atelier.Cluster.Tests;

/// <summary>
/// Redis losing its data (simulated by deleting every key of the test's prefix, which is what an empty restart looks
/// like to the silos): the local view keeps the silos it knew for a grace period, and the directory does not trust a
/// miss until every live silo has registered its activations again.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class DirectoryRecoveryTests(RedisServerFixture redis)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task After_the_table_is_lost_known_silos_stay_in_the_view_until_the_grace_ends_and_the_directory_is_incomplete_until_each_reasserts()
    {
        var options = redis.NewOptions();
        await using var a = redis.NewMembership(options);
        await using var b = redis.NewMembership(options);
        await using var gone = redis.NewMembership(options); // joins, then never heartbeats again
        var (sa, sb, sg) = (new SiloAddress("a:1", 1), new SiloAddress("b:1", 1), new SiloAddress("g:1", 1));
        var recreated = 0;
        a.TableRecreated += (_, _) => Interlocked.Increment(ref recreated);
        foreach (var (membership, silo) in new[] { (a, sa), (b, sb), (gone, sg) })
        {
            await membership.ReportLoadAsync(new SiloLoad(silo), default);
            await membership.SetStatusAsync(silo, SiloStatus.Active, default);
        }

        await a.StartAsync(default);
        await b.StartAsync(default);
        await gone.StartAsync(default);
        await RedisMembershipTests.WaitUntil(() => a.GetActiveSilos().Count == 3 && a.IsDirectoryComplete, Patience);
        var epoch = a.Epoch;
        Assert.NotEqual("", epoch);

        await gone.StopAsync(default);
        await WipeAsync(options.KeyPrefix);

        // a and b write their rows again in a new epoch; g is still in a's view (carried), everything stays active.
        await RedisMembershipTests.WaitUntil(() => Volatile.Read(ref recreated) == 1 && a.Epoch != epoch
            && a.Rows.Any(r => r.Silo == sb && !r.Carried), Patience);
        Assert.Equal(SiloStatus.Active, a.GetStatus(sb));
        Assert.False(a.IsDirectoryComplete); // nobody has registered its activations again yet

        await a.MarkDirectoryCompleteAsync(a.RowEpoch!, default);
        await RedisMembershipTests.WaitUntil(() => a.Rows.Any(r => r.Silo == sa && r.DirectoryEpoch == a.Epoch), Patience);
        Assert.False(a.IsDirectoryComplete); // b has not

        await b.MarkDirectoryCompleteAsync(b.RowEpoch!, default);

        // Once the grace (heartbeat limit) has passed, g leaves the view: dead for sure, and the directory is complete.
        await RedisMembershipTests.WaitUntil(() => a.IsDirectoryComplete, Patience);
        Assert.DoesNotContain(a.Rows, r => r.Silo == sg);
        Assert.True(await a.IsDeadAsync(sg, default));
        Assert.Equal(SiloStatus.Active, a.GetStatus(sb));
        Assert.Equal(1, Volatile.Read(ref recreated));
    }

    [Fact]
    public async Task A_lookup_miss_while_the_directory_is_rebuilt_waits_for_the_entry_and_answers_unavailable_at_its_deadline()
    {
        var options = redis.NewOptions();
        options.DirectoryRecoveryTimeout = TimeSpan.FromSeconds(1);
        var patient = redis.NewOptions();
        patient.KeyPrefix = options.KeyPrefix;
        patient.DirectoryRecoveryTimeout = Patience;
        await using var membership = redis.NewMembership(options); // not started: heartbeats only when the test reports load
        var silo = new SiloAddress("owner:1", 1);
        await membership.ReportLoadAsync(new SiloLoad(silo), default);
        await membership.SetStatusAsync(silo, SiloStatus.Active, default);
        var directory = new RedisGrainDirectory(redis.Connection, membership, Options.Create(options));
        var waiting = new RedisGrainDirectory(redis.Connection, membership, Options.Create(patient));
        var session = new GrainAddress(new GrainId("Atelier.ISessionGrain", "alive"), silo, Guid.NewGuid());
        Assert.Equal(session, await directory.RegisterAsync(session, previous: null, default));
        Assert.True(membership.IsDirectoryComplete);

        await WipeAsync(options.KeyPrefix);

        // The owner is carried in the view but has not registered again: a miss proves nothing, so no "null".
        await Assert.ThrowsAsync<ClusterUnavailableException>(async () => await directory.LookupAsync(session.GrainId, default));
        Assert.False(membership.IsDirectoryComplete);

        // The owner comes back (its row again, in the new epoch) and registers its activation: the waiting lookup finds it.
        await membership.ReportLoadAsync(new SiloLoad(silo), default);
        var lookup = waiting.LookupAsync(session.GrainId, default).AsTask();
        Assert.Equal(session, await directory.RegisterAsync(session, previous: null, default));
        Assert.Equal(session, await lookup);

        // Only once the owner says its entries are complete does a miss mean "no such grain".
        var unknown = new GrainId("Atelier.ISessionGrain", "never-opened");
        var miss = waiting.LookupAsync(unknown, default).AsTask();
        Assert.False(miss.IsCompleted);
        await membership.MarkDirectoryCompleteAsync(membership.RowEpoch!, default);
        Assert.Null(await miss);
        Assert.True(membership.IsDirectoryComplete);
    }

    private async Task WipeAsync(string prefix)
    {
        var server = redis.Connection.GetServer(redis.Connection.GetEndPoints().Single());
        var keys = server.Keys(pattern: prefix + ":*").ToArray();
        Assert.NotEmpty(keys);
        await redis.Connection.GetDatabase().KeyDeleteAsync(keys);
    }
}
