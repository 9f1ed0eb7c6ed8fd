using Atelier.Runtime;

namespace Atelier.Cluster.Tests;

/// <summary>In-process silos over real HTTP/2 and Redis: what a forwarding silo does when the owner dies mid-call.</summary>
[Collection(RedisCollection.Name)]
public sealed class FailoverRetryTests(RedisServerFixture redis)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Idempotent_call_in_flight_to_a_silo_that_crashes_is_retried_once_on_a_live_silo()
    {
        var (options, signals) = (Options(), new ProbeSignals());
        await using var a = await ClusterSilo.StartAsync(options, "a", signals);
        await using var b = await ClusterSilo.StartAsync(options, "b", signals);
        await using var victim = await ClusterSilo.StartAsync(options, "victim", signals);
        var before = await victim.GrainFactory.GetGrain<IProbeGrain>("held").Where(); // prefer-local: lives on the victim
        await RedisMembershipTests.WaitUntil(() => a.Membership.GetStatus(victim.Address) == SiloStatus.Active);

        var call = a.GrainFactory.GetGrain<IProbeGrain>("held").HeldWhere();
        await signals.HeldStarted.Task.WaitAsync(Patience); // running on the victim
        await victim.CrashAsync();
        signals.Gate.SetResult();
        var after = await call.WaitAsync(Patience);

        Assert.Equal(victim.Address.ToString(), before.Silo);
        Assert.NotEqual(victim.Address.ToString(), after.Silo);
        Assert.NotEqual(before.Activation, after.Activation);
        Assert.Equal(SiloStatus.Dead, a.Membership.GetStatus(victim.Address));
    }

    [Fact]
    public async Task Call_that_is_not_idempotent_fails_when_its_silo_crashes_mid_call_and_runs_once()
    {
        var (options, signals) = (Options(), new ProbeSignals());
        await using var a = await ClusterSilo.StartAsync(options, "a", signals);
        await using var victim = await ClusterSilo.StartAsync(options, "victim", signals);
        await victim.GrainFactory.GetGrain<IProbeGrain>("once").Where();
        await RedisMembershipTests.WaitUntil(() => a.Membership.GetStatus(victim.Address) == SiloStatus.Active);

        var call = a.GrainFactory.GetGrain<IProbeGrain>("once").HeldCount();
        await signals.HeldStarted.Task.WaitAsync(Patience);
        await victim.CrashAsync();
        signals.Gate.SetResult();

        await Assert.ThrowsAsync<SiloUnavailableException>(() => call.WaitAsync(Patience));
        Assert.Equal(1, signals.Runs);
    }

    [Fact]
    public async Task Call_carrying_an_idempotency_key_is_retried_after_its_silo_crashes_mid_call()
    {
        var (options, signals) = (Options(), new ProbeSignals());
        await using var a = await ClusterSilo.StartAsync(options, "a", signals);
        await using var victim = await ClusterSilo.StartAsync(options, "victim", signals);
        await victim.GrainFactory.GetGrain<IProbeGrain>("keyed").Where();
        await RedisMembershipTests.WaitUntil(() => a.Membership.GetStatus(victim.Address) == SiloStatus.Active);

        Task<ProbeInfo> call;
        RequestContext.Set(RequestContext.IdempotencyKey, "k-1");
        try
        {
            call = a.GrainFactory.GetGrain<IProbeGrain>("keyed").HeldCount();
        }
        finally
        {
            RequestContext.Clear();
        }

        await signals.HeldStarted.Task.WaitAsync(Patience);
        await victim.CrashAsync();
        signals.Gate.SetResult();
        var after = await call.WaitAsync(Patience);

        Assert.Equal(a.Address.ToString(), after.Silo);
        Assert.Equal(2, signals.Runs); // once on the victim (answer lost), once on the retry
    }

    [Fact]
    public async Task Call_to_a_silo_that_died_before_it_was_declared_dead_waits_for_the_declaration_and_succeeds()
    {
        var (options, signals) = (Options(), new ProbeSignals());
        await using var a = await ClusterSilo.StartAsync(options, "a", signals);
        await using var victim = await ClusterSilo.StartAsync(options, "victim", signals);
        var before = await victim.GrainFactory.GetGrain<IProbeGrain>("late").Where();
        await RedisMembershipTests.WaitUntil(() => a.Membership.GetStatus(victim.Address) == SiloStatus.Active);

        await victim.CrashAsync();
        var after = await a.GrainFactory.GetGrain<IProbeGrain>("late").Where().WaitAsync(Patience); // not idempotent: never delivered

        Assert.NotEqual(before.Activation, after.Activation);
        Assert.Equal(a.Address.ToString(), after.Silo);
    }

    private ClusterOptions Options()
    {
        var options = redis.NewOptions();
        options.ProbePeriod = TimeSpan.FromMilliseconds(200);
        options.MissedProbesLimit = 3;
        return options;
    }
}
