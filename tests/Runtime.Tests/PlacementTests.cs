using Atelier.Runtime.Tests.Grains;
using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Runtime.Tests;

public sealed class PlacementTests
{
    private static readonly SiloAddress A = new("a", 1);
    private static readonly SiloAddress B = new("b", 1);
    private static readonly SiloAddress C = new("c", 1);
    private static readonly GrainId Grain = new("ISessionGrain", "s");

    private static SiloLoad Load(SiloAddress silo, long freeGiB, int queue = 0, params string[] models) =>
        new(silo) { DeviceBytesBudget = 16L << 30, DeviceBytesUsed = (16L - freeGiB) << 30, QueueLength = queue, ResidentModels = models };

    [Fact]
    public void Prefer_local_places_on_the_caller_silo_when_it_is_active()
    {
        var director = new PreferLocalPlacementDirector();
        var silos = new[] { Load(A, 1), Load(B, 9), Load(C, 9) };

        Assert.All(Enumerable.Range(0, 50), _ => Assert.Equal(B, director.Place(new PlacementRequest(Grain, B, null), silos)));
        Assert.Contains(director.Place(new PlacementRequest(Grain, new SiloAddress("gone", 1), null), silos), new[] { A, B, C });
    }

    [Fact]
    public void Random_placement_spreads_over_all_active_silos()
    {
        var director = new RandomPlacementDirector();
        var silos = new[] { Load(A, 1), Load(B, 1), Load(C, 1) };

        var chosen = Enumerable.Range(0, 300).Select(_ => director.Place(new PlacementRequest(Grain, A, null), silos)).ToHashSet();

        Assert.Equal(new HashSet<SiloAddress> { A, B, C }, chosen);
    }

    [Fact]
    public void Resource_aware_prefers_silos_where_the_model_is_resident()
    {
        var director = new ResourceAwarePlacementDirector(new Random(1));
        var silos = new[] { Load(A, 15), Load(B, 2, models: "sam-b"), Load(C, 14) };

        Assert.All(Enumerable.Range(0, 100), _ => Assert.Equal(B, director.Place(new PlacementRequest(Grain, A, "sam-b"), silos)));
    }

    [Fact]
    public void Resource_aware_ignores_a_resident_silo_without_free_memory_and_never_picks_the_fullest()
    {
        var director = new ResourceAwarePlacementDirector(new Random(2));
        var silos = new[] { Load(A, 12), Load(B, 0, models: "sam-b"), Load(C, 6) };

        var chosen = Enumerable.Range(0, 300).Select(_ => director.Place(new PlacementRequest(Grain, A, "sam-b"), silos)).ToList();

        // Power of two choices: the least free silo (B) loses every comparison it is sampled into.
        Assert.DoesNotContain(B, chosen);
        Assert.Contains(A, chosen);
        Assert.Contains(C, chosen); // sampled {B, C}: C wins
    }

    [Fact]
    public void Resource_aware_stops_preferring_a_resident_silo_once_its_free_memory_is_below_the_room_threshold()
    {
        const long Room = 4L << 20; // what one new activation needs
        var director = new ResourceAwarePlacementDirector(new Random(4), minFreeDeviceBytes: Room);
        SiloLoad Resident(long freeBytes) => new(B) { DeviceBytesBudget = 16L << 20, DeviceBytesUsed = (16L << 20) - freeBytes, ResidentModels = ["sam-b"] };
        var others = new[] { Load(A, 12), Load(C, 6) };

        // Room for one more: every placement goes to the resident silo.
        var roomy = new[] { others[0], Resident(Room), others[1] };
        Assert.All(Enumerable.Range(0, 100), _ => Assert.Equal(B, director.Place(new PlacementRequest(Grain, A, "sam-b"), roomy)));

        // A few free bytes but less than one activation needs (its memory manager would evict to make space): the
        // resident silo is full, the others take the sessions, and it loses every comparison it is sampled into.
        var full = new[] { others[0], Resident(Room - 1), others[1] };
        var chosen = Enumerable.Range(0, 300).Select(_ => director.Place(new PlacementRequest(Grain, A, "sam-b"), full)).ToList();
        Assert.DoesNotContain(B, chosen);
        Assert.Contains(A, chosen);
        Assert.Contains(C, chosen);
    }

    [Fact]
    public void Resource_aware_director_from_the_container_reads_the_room_threshold_option()
    {
        var services = new ServiceCollection();
        services.AddAtelierSilo(o => o.PlacementMinFreeDeviceBytes = 1L << 30);
        using var provider = services.BuildServiceProvider();
        var director = provider.GetRequiredService<ResourceAwarePlacementDirector>();
        var silos = new[] { Load(A, 12), Load(B, 0, models: "sam-b") with { DeviceBytesUsed = (16L << 30) - (512L << 20) } };

        // 512 MiB free on the resident silo is below the configured 1 GiB: A (12 GiB free) wins every time.
        Assert.All(Enumerable.Range(0, 50), _ => Assert.Equal(A, director.Place(new PlacementRequest(Grain, A, "sam-b"), silos)));
    }

    [Fact]
    public void Resource_aware_breaks_memory_ties_on_queue_length()
    {
        var director = new ResourceAwarePlacementDirector(new Random(3));
        var silos = new[] { Load(A, 8, queue: 10), Load(B, 8, queue: 0) };

        Assert.All(Enumerable.Range(0, 50), _ => Assert.Equal(B, director.Place(new PlacementRequest(Grain, A, null), silos)));
    }

    [Fact]
    public async Task New_activation_lands_on_the_silo_reporting_the_requested_model()
    {
        var probe = new Probe();
        var index = 0;
        await using var cluster = await Clusters.StartAsync(3, probe, services =>
        {
            var resident = Interlocked.Increment(ref index) == 2; // only the second silo has the model loaded
            services.AddSingleton<ISiloLoadSource>(new FakeDeviceLoad("sam-b", resident, freeBytes: resident ? 1L << 30 : 6L << 30));
        });
        var caller = cluster.Silos[0];

        RequestContext.Set(PlacementHints.ModelKey, "sam-b");
        try
        {
            foreach (var key in Enumerable.Range(0, 10).Select(i => $"s{i}"))
            {
                Assert.Equal(cluster.Silos[1].Address.ToString(), await caller.GrainFactory.GetGrain<IResourceGrain>(key).Silo());
            }
        }
        finally
        {
            RequestContext.Clear();
        }
    }
}
