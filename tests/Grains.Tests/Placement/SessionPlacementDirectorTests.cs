using System.Net;
using Atelier.Grains.Placement;

namespace Atelier.Grains.Tests.Placement;

/// <summary>The placement policy on plain figures, with a seeded random source.</summary>
public sealed class SessionPlacementDirectorTests
{
    private const long GiB = 1L << 30;
    private static readonly SiloAddress A = Silo(1);
    private static readonly SiloAddress B = Silo(2);
    private static readonly SiloAddress C = Silo(3);

    private static SiloAddress Silo(int n) => SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11110 + n), n);

    private static SiloLoad Load(SiloAddress silo, long freeGiB, int queue = 0, params string[] models) =>
        new(silo, 16 * GiB, (16 - freeGiB) * GiB, queue, 0, models);

    [Fact]
    public void Prefers_the_silo_where_the_model_is_resident()
    {
        var random = new Random(1);
        var silos = new[] { Load(A, 15), Load(B, 2, models: "sam-b"), Load(C, 14) };

        Assert.All(Enumerable.Range(0, 100), _ => Assert.Equal(B, SessionPlacementDirector.Place("sam-b", silos, 16L << 20, random)));
    }

    [Fact]
    public void Ignores_a_resident_silo_without_free_memory_and_never_picks_the_fullest()
    {
        var random = new Random(2);
        var silos = new[] { Load(A, 12), Load(B, 0, models: "sam-b"), Load(C, 6) };

        var chosen = Enumerable.Range(0, 300).Select(_ => SessionPlacementDirector.Place("sam-b", silos, 16L << 20, random)).ToList();

        // Power of two choices: the least free silo (B) loses every comparison it is sampled into.
        Assert.DoesNotContain(B, chosen);
        Assert.Contains(A, chosen);
        Assert.Contains(C, chosen); // sampled {B, C}: C wins
    }

    [Fact]
    public void Stops_preferring_a_resident_silo_once_its_free_memory_is_below_the_room_threshold()
    {
        const long Room = 4L << 20; // what one new session needs
        var random = new Random(4);
        SiloLoad Resident(long freeBytes) => new(B, 16L << 20, (16L << 20) - freeBytes, 0, 0, ["sam-b"]);
        var (a, c) = (Load(A, 12), Load(C, 6));

        // Room for one more: every placement goes to the resident silo.
        var roomy = new[] { a, Resident(Room), c };
        Assert.All(Enumerable.Range(0, 100), _ => Assert.Equal(B, SessionPlacementDirector.Place("sam-b", roomy, Room, random)));

        // A few free bytes but less than a session needs (its memory manager would evict to make space): the others take the
        // sessions, and the resident silo loses every comparison it is sampled into.
        var full = new[] { a, Resident(Room - 1), c };
        var chosen = Enumerable.Range(0, 300).Select(_ => SessionPlacementDirector.Place("sam-b", full, Room, random)).ToList();
        Assert.DoesNotContain(B, chosen);
        Assert.Contains(A, chosen);
        Assert.Contains(C, chosen);
    }

    [Fact]
    public void Breaks_memory_ties_on_queue_length()
    {
        var random = new Random(3);
        var silos = new[] { Load(A, 8, queue: 10), Load(B, 8, queue: 0) };

        Assert.All(Enumerable.Range(0, 50), _ => Assert.Equal(B, SessionPlacementDirector.Place(null, silos, 16L << 20, random)));
    }

    [Fact]
    public void A_silo_not_heard_from_yet_counts_as_having_no_free_memory_and_no_model()
    {
        var unknown = SiloLoad.From(C, stats: null);
        var random = new Random(5);
        var silos = new[] { Load(A, 4), unknown };

        Assert.All(Enumerable.Range(0, 50), _ => Assert.Equal(A, SessionPlacementDirector.Place("sam-b", silos, 16L << 20, random)));
    }
}
