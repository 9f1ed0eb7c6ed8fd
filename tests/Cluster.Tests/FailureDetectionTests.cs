using Atelier.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Atelier.Cluster.Tests;

[Collection(RedisCollection.Name)]
public sealed class FailureDetectionTests(RedisServerFixture redis)
{
    [Fact]
    public async Task One_suspicion_is_not_enough_and_a_quorum_of_distinct_silos_declares_the_silo_dead()
    {
        var options = redis.NewOptions();
        options.MissedHeartbeatsLimit = 100_000; // heartbeat age must play no part here
        var (a, b, victim) = (redis.NewMembership(options), redis.NewMembership(options), redis.NewMembership(options));
        await using var _ = a;
        await using var __ = b;
        await using var ___ = victim;
        var victimAddress = await JoinAsync(victim, "victim:1");
        await JoinAsync(a, "a:1");
        await JoinAsync(b, "b:1");

        Assert.Equal(-11, await a.SuspectAsync(victimAddress, default)); // recorded: 1 of 2
        Assert.Equal(-11, await a.SuspectAsync(victimAddress, default)); // the same silo again still counts once
        await b.RefreshAsync(default);
        Assert.Equal(SiloStatus.Active, b.GetStatus(victimAddress));

        var version = await b.SuspectAsync(victimAddress, default);

        Assert.True(version > 0, $"outcome {version}");
        await a.RefreshAsync(default);
        Assert.Equal(SiloStatus.Dead, a.GetStatus(victimAddress));
        Assert.Equal(0, await a.SuspectAsync(victimAddress, default)); // dead already
        await victim.RefreshAsync(default);
        Assert.True(victim.IsDeclaredDead); // it learns it from the table
    }

    [Fact]
    public async Task Live_silos_probe_each_other_and_declare_a_silo_that_stops_answering_dead_although_it_still_heartbeats()
    {
        var options = redis.NewOptions();
        options.MissedHeartbeatsLimit = 100_000; // only probes can declare anybody dead in this test
        options.ProbePeriod = TimeSpan.FromMilliseconds(200);
        options.ProbeTimeout = TimeSpan.FromSeconds(2);
        options.MissedProbesLimit = 3;
        options.SuspicionQuorum = 2;
        var signals = new ProbeSignals();
        await using var s0 = await ClusterSilo.StartAsync(options, "s0", signals);
        await using var s1 = await ClusterSilo.StartAsync(options, "s1", signals);
        await using var mute = await ClusterSilo.StartAsync(options, "mute", signals);
        var declared = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        mute.Membership.DeclaredDead += (_, _) => declared.TrySetResult();
        FailureDetector[] watchers = [s0.Services.GetRequiredService<FailureDetector>(), s1.Services.GetRequiredService<FailureDetector>()];
        await RedisMembershipTests.WaitUntil(() => watchers.All(w => w.HasAnswered(mute.Address)), TimeSpan.FromSeconds(60));

        await mute.MuteAsync(); // its port closes; its runtime's load reports keep its heartbeat fresh

        await declared.Task.WaitAsync(TimeSpan.FromSeconds(60)); // its own next heartbeat tells it
        await RedisMembershipTests.WaitUntil(() =>
            s0.Membership.GetStatus(mute.Address) == SiloStatus.Dead && s1.Membership.GetStatus(mute.Address) == SiloStatus.Dead);
        Assert.True(watchers.Sum(w => w.MissedProbes) >= options.MissedProbesLimit * 2);
        Assert.Equal(SiloStatus.Active, s0.Membership.GetStatus(s1.Address)); // the live ones answered every probe
        Assert.Equal(SiloStatus.Active, s1.Membership.GetStatus(s0.Address));
    }

    [Fact]
    public async Task Each_silo_probes_the_next_silos_in_address_order()
    {
        var options = redis.NewOptions();
        options.ProbedSilos = 2;
        var silos = new RedisMembership[4];
        try
        {
            var addresses = new SiloAddress[4];
            for (var i = 0; i < 4; i++)
            {
                silos[i] = redis.NewMembership(options);
                addresses[i] = await JoinAsync(silos[i], $"10.0.0.{i}:1");
            }

            foreach (var silo in silos)
            {
                await silo.RefreshAsync(default);
            }

            Assert.Equal([addresses[1], addresses[2]], silos[0].ProbeTargets());
            Assert.Equal([addresses[0], addresses[1]], silos[3].ProbeTargets()); // wraps around
            var watchers = addresses.ToDictionary(a => a, _ => 0);
            foreach (var target in silos.SelectMany(s => s.ProbeTargets()))
            {
                watchers[target]++;
            }

            Assert.All(watchers.Values, n => Assert.Equal(2, n)); // every silo is watched by two others
        }
        finally
        {
            foreach (var silo in silos)
            {
                if (silo is not null)
                {
                    await silo.DisposeAsync();
                }
            }
        }
    }

    [Fact]
    public async Task Silo_that_joined_after_a_callers_last_table_read_is_not_dead_to_it()
    {
        var options = redis.NewOptions();
        await using var stale = redis.NewMembership(options);
        await stale.RefreshAsync(default); // the caller's view: an empty table
        await using var late = redis.NewMembership(options);
        var lateAddress = await JoinAsync(late, "late:1");

        Assert.Equal(SiloStatus.Dead, stale.GetStatus(lateAddress)); // unknown to a stale view reads as dead...
        Assert.False(await ((IMembership)stale).IsDeadAsync(lateAddress, default)); // ...but it is not, checked now
        Assert.True(await ((IMembership)stale).IsDeadAsync(new SiloAddress("never:1", 1), default));
    }

    private static async Task<SiloAddress> JoinAsync(RedisMembership membership, string endpoint)
    {
        var address = new SiloAddress(endpoint, 1);
        await membership.ReportLoadAsync(new SiloLoad(address), default);
        await membership.SetStatusAsync(address, SiloStatus.Active, default);
        return address;
    }
}
