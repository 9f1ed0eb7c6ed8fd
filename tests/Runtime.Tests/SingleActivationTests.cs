using Atelier.Runtime.Tests.Grains;
using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Runtime.Tests;

public sealed class SingleActivationTests
{
    [Fact]
    public async Task Thousand_concurrent_first_calls_from_three_silos_create_exactly_one_activation()
    {
        var probe = new Probe();
        var directory = new GatedGrainDirectory(racers: 2);
        await using var cluster = await Clusters.StartAsync(3, probe, s => s.AddSingleton<IGrainDirectory>(directory));
        var silos = cluster.Silos;

        var calls = Enumerable.Range(0, 1000)
            .Select(i => Task.Run(() => silos[i % 3].GrainFactory.GetGrain<ICounterGrain>("contended").ActivationId()))
            .ToArray();
        await directory.Racing.WithTimeout(); // activations on at least two silos are trying to register
        directory.Open();
        var ids = await Task.WhenAll(calls).WithTimeout();

        Assert.Single(ids.Distinct());
        Assert.Equal(1, probe.Constructed);
        Assert.Equal(1, probe.Activations);
        Assert.Equal(1, cluster.Silos.Sum(s => s.Runtime.ActivationCount));
        Assert.Equal(1, directory.Count);
    }

    [Fact]
    public async Task Calls_from_every_silo_reach_the_same_activation_and_state()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(3, probe);

        foreach (var silo in cluster.Silos)
        {
            await silo.GrainFactory.GetGrain<ICounterGrain>("shared").Increment();
        }

        var count = await cluster.Silos[0].GrainFactory.GetGrain<ICounterGrain>("shared").Get();
        Assert.Equal(3, count);
    }

    [Fact]
    public async Task Grain_knows_its_key_and_references_round_trip_through_serialization()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(2, probe);
        var grain = cluster.Silos[0].GrainFactory.GetGrain<ICounterGrain>("user/42");
        await grain.Increment();

        var json = System.Text.Json.JsonSerializer.Serialize(grain.AsReference());
        var reference = System.Text.Json.JsonSerializer.Deserialize<GrainReference>(json)!;
        var again = cluster.Silos[1].GrainFactory.GetGrain<ICounterGrain>(reference);

        Assert.Equal("user/42", await again.Key());
        Assert.Equal("user/42", again.GetPrimaryKeyString());
        Assert.Equal(1, await again.Get());
        Assert.Equal(grain, cluster.Silos[0].GrainFactory.GetGrain<ICounterGrain>("user/42"));
    }

    [Fact]
    public async Task Failed_activation_fails_the_call_and_the_next_call_activates_again()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(1, probe);
        var grain = cluster.Silos[0].GrainFactory.GetGrain<IFailingActivationGrain>("flaky");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => grain.Attempt());
        Assert.Equal("first activation fails", error.Message);
        Assert.Equal(2, await grain.Attempt());
        Assert.Equal(1, cluster.Directory.Count);
    }
}
