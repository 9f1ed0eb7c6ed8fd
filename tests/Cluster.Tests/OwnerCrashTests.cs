using System.Net;
using Xunit.Abstractions;

namespace Atelier.Cluster.Tests;

/// <summary>
/// <c>kill -9</c> of a session owner under a click loop, three real silo processes: Orleans declares it dead, each of
/// its sessions re-activates on a survivor from the Redis store, and the ingress silos' retry filter hides the gap.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class OwnerCrashTests(RedisServerFixture redis, ITestOutputHelper output) : IAsyncLifetime
{
    private SessionCluster _cluster = null!;
    private List<(string Id, string Owner)> _sessions = null!;
    private SiloProcess _victim = null!;
    private SiloProcess[] _survivors = null!;

    public async Task InitializeAsync()
    {
        _cluster = await SessionCluster.StartAsync(redis.Configuration, redis.NewPrefix("crash"), ["c0", "c1", "c2"]);

        // Open through c0 until c1 or c2 owns at least three sessions: that silo is the victim.
        _sessions = [];
        string? victim = null;
        while (victim is null)
        {
            Assert.True(_sessions.Count < 60, "placement never gave three sessions to c1 or c2: " + string.Join(", ", _sessions.Select(s => s.Owner)));
            _sessions.AddRange(await _cluster.OpenManyAsync(_cluster.Silos[0], 4));
            victim = _sessions.Where(s => s.Owner != "c0").GroupBy(s => s.Owner).FirstOrDefault(g => g.Count() >= 3)?.Key;
        }

        _victim = _cluster.Silos.Single(s => s.Name == victim);
        _survivors = [.. _cluster.Silos.Where(s => s != _victim)];
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Every_session_of_a_killed_owner_answers_again_from_a_survivor_and_no_click_fails()
    {
        var doomed = _sessions.Where(s => s.Owner == _victim.Name).Select(s => s.Id).ToArray();
        await using var loop = new ClickLoop(_cluster.Api, [.. _sessions.Select(s => s.Id)], () => _survivors, seed: 3);
        await Eventually.UntilAsync(() => loop.Answers.Count(a => a.Silo == _victim.Name) >= 3, () => "clicks answered by the victim before the kill");

        _victim.KillHard();
        var killedAt = DateTime.UtcNow;
        await Eventually.UntilAsync(
            () => doomed.All(id => loop.Answers.Any(a => a.Id == id && a.At > killedAt && a.Silo != _victim.Name)),
            () => $"every session of {_victim.Name} answered by a survivor; {loop.Describe()}\n{_cluster.OutputTails}");
        await loop.StopAsync();

        output.WriteLine($"victim {_victim.Name} owned {doomed.Length} of {_sessions.Count} sessions; {loop.Clicks} clicks");
        Assert.True(loop.Failures.IsEmpty, loop.Describe() + "\n" + _cluster.OutputTails);
        Assert.All(loop.Answers.Where(a => a.At > killedAt && doomed.Contains(a.Id)), a => Assert.NotEqual(_victim.Name, a.Silo));

        // The survivors declared the victim dead; each session now has one owner among them, whichever silo is asked.
        await _cluster.WaitForMembersAsync(_survivors);
        foreach (var id in doomed)
        {
            var owners = new HashSet<string>();
            foreach (var silo in _survivors)
            {
                using var info = await _cluster.Api.InfoAsync(silo, id);
                await SessionApi.EnsureAsync(info, silo);
                owners.Add(SessionApi.Owner(info));
            }

            Assert.Single(owners);
            Assert.Contains(owners.Single(), _survivors.Select(s => s.Name));
        }
    }

    [Fact]
    public async Task Keyed_erases_sent_before_and_during_the_failover_are_each_applied_exactly_once()
    {
        var id = _sessions.First(s => s.Owner == _victim.Name).Id;
        var (a, b) = (_survivors[0], _survivors[1]);
        byte[] beforeAnswer;
        using (var before = await _cluster.Api.EraseAsync(a, id, "erase-before-kill"))
        {
            await SessionApi.EnsureAsync(before, a);
            Assert.Equal(_victim.Name, SessionApi.Owner(before));
            beforeAnswer = await before.Content.ReadAsByteArrayAsync();
        }

        _victim.KillHard();

        // Sent right after the kill: the ingress silo retries it (it carries a key) until a survivor owns the session.
        using (var during = await _cluster.Api.EraseAsync(b, id, "erase-during-failover"))
        {
            await SessionApi.EnsureAsync(during, b);
            Assert.NotEqual(_victim.Name, SessionApi.Owner(during));
        }

        // Clients that lost those answers send both again, through the other survivor: answered, not applied again.
        using (var again = await _cluster.Api.EraseAsync(b, id, "erase-before-kill"))
        {
            await SessionApi.EnsureAsync(again, b);
            Assert.Equal(beforeAnswer, await again.Content.ReadAsByteArrayAsync());
        }

        using (var againDuring = await _cluster.Api.EraseAsync(a, id, "erase-during-failover"))
        {
            await SessionApi.EnsureAsync(againDuring, a);
        }

        Assert.Equal(2, await _cluster.Api.VersionAsync(a, id));
        Assert.Equal(2, await _cluster.Api.VersionAsync(b, id));

        // Every other session of the killed owner came back with its image: version 0, answered by a survivor.
        foreach (var other in _sessions.Where(s => s.Owner == _victim.Name && s.Id != id))
        {
            using var info = await _cluster.Api.InfoAsync(a, other.Id);
            await SessionApi.EnsureAsync(info, a);
            Assert.NotEqual(_victim.Name, SessionApi.Owner(info));
            Assert.Equal(HttpStatusCode.OK, info.StatusCode);
        }
    }
}
