using Atelier.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Atelier.Cluster.Tests;

[Collection(RedisCollection.Name)]
public sealed class Http2ClusterTests(RedisServerFixture redis)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Cross_silo_call_over_http2_carries_a_4_MiB_payload_request_context_and_cancellation()
    {
        var options = redis.NewOptions();
        var signals = new ProbeSignals();
        await using var a = await ClusterSilo.StartAsync(options, "a", signals);
        await using var b = await ClusterSilo.StartAsync(options, "b", signals);
        var owner = await b.GrainFactory.GetGrain<IProbeGrain>("p-1").Where(); // prefer-local: lives on b
        var grain = a.GrainFactory.GetGrain<IProbeGrain>("p-1");

        Assert.Equal(owner, await grain.Where());
        Assert.Equal(b.Address.ToString(), owner.Silo);

        var payload = new byte[4 * 1024 * 1024];
        new Random(7).NextBytes(payload);
        var reversed = await grain.Reverse(payload);
        Array.Reverse(payload);
        Assert.Equal(payload, reversed);

        RequestContext.Set(RequestContext.TenantKey, "acme");
        try
        {
            Assert.Equal("acme", await grain.ReadContext(RequestContext.TenantKey));
        }
        finally
        {
            RequestContext.Clear();
        }

        using var cts = new CancellationTokenSource();
        var waiting = grain.WaitForCancellation(cts.Token);
        await signals.WaitStarted.Task.WaitAsync(Patience);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        await signals.WaitCancelled.Task.WaitAsync(Patience); // the callee's token fired on the other silo
    }

    [Fact]
    public async Task First_calls_racing_from_three_silos_create_one_activation_per_grain()
    {
        var options = redis.NewOptions();
        var signals = new ProbeSignals();
        await using var s0 = await ClusterSilo.StartAsync(options, "s0", signals);
        await using var s1 = await ClusterSilo.StartAsync(options, "s1", signals);
        await using var s2 = await ClusterSilo.StartAsync(options, "s2", signals);
        ClusterSilo[] silos = [s0, s1, s2];
        await RedisMembershipTests.WaitUntil(() => silos.All(s => s.Membership.GetActiveSilos().Count == 3));

        // Prefer-local placement: every silo tries to activate locally, so the directory CAS decides.
        var calls = Enumerable.Range(0, 240).Select(i =>
            Task.Run(() => silos[i % 3].GrainFactory.GetGrain<IProbeGrain>($"race-{i % 8}").Where())).ToArray();
        var results = await Task.WhenAll(calls);

        var byKey = results.Select((r, i) => (Key: i % 8, r)).GroupBy(x => x.Key);
        var owners = new HashSet<string>();
        foreach (var group in byKey)
        {
            var winner = Assert.Single(group.Select(x => x.r).Distinct());
            owners.Add(winner.Silo);
            var entry = await s0.Services.GetRequiredService<IGrainDirectory>()
                .LookupAsync(new GrainId(typeof(IProbeGrain).FullName!, $"race-{group.Key}"), default);
            Assert.Equal(winner.Silo, entry?.Silo.ToString());
        }

        Assert.Equal(8, silos.Sum(s => s.Runtime.GetActivations().Count));
    }

    [Fact]
    public async Task Grain_of_a_killed_silo_reactivates_elsewhere_once_the_cluster_declares_it_dead()
    {
        var options = redis.NewOptions();
        var signals = new ProbeSignals();
        await using var a = await ClusterSilo.StartAsync(options, "a", signals);
        await using var b = await ClusterSilo.StartAsync(options, "b", signals);
        var c = await ClusterSilo.StartAsync(options, "c", signals);
        var before = await c.GrainFactory.GetGrain<IProbeGrain>("victim").Where();
        Assert.Equal(c.Address.ToString(), before.Silo);
        await RedisMembershipTests.WaitUntil(() => a.Membership.GetStatus(c.Address) == SiloStatus.Active);

        await c.KillAsync();
        await RedisMembershipTests.WaitUntil(() => a.Membership.GetStatus(c.Address) == SiloStatus.Dead
            && b.Membership.GetStatus(c.Address) == SiloStatus.Dead);
        var after = await a.GrainFactory.GetGrain<IProbeGrain>("victim").Where();

        Assert.NotEqual(before.Activation, after.Activation);
        Assert.NotEqual(c.Address.ToString(), after.Silo);
        Assert.Equal(after, await b.GrainFactory.GetGrain<IProbeGrain>("victim").Where());
        await c.DisposeAsync();
    }

    [Fact]
    public async Task Transport_reports_a_stale_generation_or_a_closed_port_as_silo_unavailable()
    {
        var options = redis.NewOptions();
        await using var a = await ClusterSilo.StartAsync(options, "a", new ProbeSignals());
        using var transport = new Http2Transport(Options.Create(options));
        var frame = new byte[] { 1, 2, 3 };

        var restarted = a.Address with { Generation = a.Address.Generation - 1 };
        await Assert.ThrowsAsync<SiloUnavailableException>(() => transport.SendRequestAsync(restarted, frame, default));
        var closed = new SiloAddress($"127.0.0.1:{RedisServerFixture.FreePort()}", 1);
        await Assert.ThrowsAsync<SiloUnavailableException>(() => transport.SendRequestAsync(closed, frame, default));
    }
}
