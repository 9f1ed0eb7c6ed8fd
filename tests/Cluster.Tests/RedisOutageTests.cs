using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Atelier.Cluster.Tests;

/// <summary>
/// Redis stopped (<c>kill -9</c>) and started again on the same port under a click loop, with two real silo processes:
/// owners keep serving, a call that needs the store fails fast with 503, and when Redis is back with its data (the
/// append-only file, as deployed) the cluster carries on and the edits kept pending are written.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisOutageTests(RedisOutageTests.OutageCluster fixture, ITestOutputHelper output)
    : IClassFixture<RedisOutageTests.OutageCluster>, IAsyncLifetime
{
    private readonly RedisServerFixture _redis = fixture.Redis;
    private readonly SessionCluster _cluster = fixture.Cluster;
    private readonly List<(string Id, string Owner)> _sessions = fixture.Sessions;

    /// <summary>
    /// Two silos on a Redis of their own, shared by the tests of this class; four sessions, each routed to once by every
    /// silo (as client traffic would) before any test takes Redis down.
    /// </summary>
    public sealed class OutageCluster : IAsyncLifetime
    {
        public RedisServerFixture Redis { get; } = new();

        internal SessionCluster Cluster { get; private set; } = null!;

        internal List<(string Id, string Owner)> Sessions { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await Redis.StartAsync();

            // Heartbeat rows every 2 s instead of 10 s, so a test sees both silos write theirs soon after Redis is back.
            Cluster = await SessionCluster.StartAsync(Redis.Configuration, Redis.NewPrefix("outage"), ["o0", "o1"], _ =>
            {
                var environment = SessionCluster.DefaultEnvironment();
                environment["ATELIER__Cluster__HeartbeatPeriod"] = "00:00:02";
                return environment;
            });
            Sessions = await Cluster.OpenManyAsync(Cluster.Silos[0], 4);
            foreach (var (id, owner) in Sessions)
            {
                foreach (var silo in Cluster.Silos)
                {
                    using var info = await Cluster.Api.InfoAsync(silo, id);
                    await SessionApi.EnsureAsync(info, silo);
                    Assert.Equal(owner, SessionApi.Owner(info));
                }
            }
        }

        public async Task DisposeAsync()
        {
            await Cluster.DisposeAsync();
            await Redis.DisposeAsync();
        }

        /// <summary>Redis running (started again if a test left it down) and the silos reading the store again.</summary>
        public async Task EnsureRedisUpAsync()
        {
            if (!Redis.IsRunning)
            {
                await Redis.StartAsync();
            }

            var status = HttpStatusCode.ServiceUnavailable;
            await Eventually.UntilAsync(async () =>
            {
                using var unknown = await Cluster.Api.InfoAsync(Cluster.Silos[1], "NeverOpenedAnywhere");
                status = unknown.StatusCode;
                return status == HttpStatusCode.NotFound;
            }, () => $"a store read to answer 404 (last: {(int)status})\n{Cluster.OutputTails}");
        }
    }

    public Task InitializeAsync() => fixture.EnsureRedisUpAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Owners_keep_answering_clicks_while_redis_is_down()
    {
        await using var loop = new ClickLoop(_cluster.Api, [.. _sessions.Select(s => s.Id)], () => _cluster.Silos, seed: 5);
        await Eventually.UntilAsync(() => loop.Answers.Count >= 10, () => "clicks before the outage");

        await _redis.StopAsync();
        var stoppedAt = DateTime.UtcNow;
        await Eventually.UntilAsync(() => loop.Answers.Count(a => a.At > stoppedAt) >= 40, () => $"clicks during the outage; {loop.Describe()}");
        await loop.StopAsync();

        output.WriteLine($"{loop.Clicks} clicks, {loop.Answers.Count(a => a.At > stoppedAt)} during the outage");
        Assert.True(loop.Failures.IsEmpty, loop.Describe() + "\n" + _cluster.OutputTails);
        Assert.All(loop.Answers, a => Assert.Equal(_sessions.Single(s => s.Id == a.Id).Owner, a.Silo));
    }

    [Fact]
    public async Task Session_opened_while_redis_is_down_answers_clicks()
    {
        await _redis.StopAsync();

        var (id, owner) = await _cluster.Api.OpenAsync(_cluster.Silos[1], SessionApi.Picture());

        foreach (var silo in _cluster.Silos)
        {
            using var click = await _cluster.Api.SegmentAsync(silo, id);
            await SessionApi.EnsureAsync(click, silo);
            Assert.Equal(owner, SessionApi.Owner(click));
        }
    }

    [Fact]
    public async Task Call_that_needs_the_store_while_redis_is_down_answers_503_cluster_unavailable_with_retry_after()
    {
        await _redis.StopAsync();

        // No silo holds this session: only the store could say whether it exists.
        using var response = await _cluster.Api.InfoAsync(_cluster.Silos[1], "NotActiveAnywhereDuringTheOutage");

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode} {body}\n{_cluster.OutputTails}");
        Assert.NotNull(response.Headers.RetryAfter);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal("cluster_unavailable", problem.RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task After_redis_returns_with_its_data_no_silo_is_declared_dead_and_the_cluster_carries_on()
    {
        await _redis.StopAsync();
        await using (var loop = new ClickLoop(_cluster.Api, [.. _sessions.Select(s => s.Id)], () => _cluster.Silos, seed: 9))
        {
            // Down for more clicks than a heartbeat period's worth of Orleans table writes would take to fail.
            await Eventually.UntilAsync(() => loop.Answers.Count >= 60, () => $"clicks during the outage; {loop.Describe()}");
        }

        await _redis.StartAsync();
        var restartedAt = DateTime.UtcNow;

        // Both silos are still active members in their own view, and each writes its heartbeat into the table Redis
        // kept, as an active member: nobody was declared dead.
        await _cluster.WaitForMembersAsync(_cluster.Silos);
        var rows = "";
        await Eventually.UntilAsync(async () =>
        {
            var table = await _redis.Connection.GetDatabase().HashGetAllAsync($"atelier/members/{_cluster.KeyPrefix}");
            var members = table.Where(e => e.Name != "Version").Select(e => JsonDocument.Parse((string)e.Value!).RootElement).ToArray();
            rows = string.Join(", ", members.Select(m => $"{m.GetProperty("SiloName")}:{m.GetProperty("Status")}:{m.GetProperty("IAmAliveTime")}"));
            Assert.All(members, m => Assert.Equal(3, m.GetProperty("Status").GetInt32())); // 3 = Active (6 would be Dead)
            return members.Length == 2 && members.All(m => m.GetProperty("IAmAliveTime").GetDateTime().ToUniversalTime() > restartedAt);
        }, () => $"both silos to write their heartbeat after the restart; rows: {rows}");

        // Calls that need the store work again: a session nobody opened is a plain 404, a new session opens anywhere.
        var status = HttpStatusCode.ServiceUnavailable;
        await Eventually.UntilAsync(async () =>
        {
            using var unknown = await _cluster.Api.InfoAsync(_cluster.Silos[1], "NeverOpenedAfterTheOutage");
            status = unknown.StatusCode;
            return status == HttpStatusCode.NotFound;
        }, () => $"a store read to answer 404 again (last: {(int)status})");

        await _cluster.OpenManyAsync(_cluster.Silos[0], 2);
    }

    [Fact]
    public async Task Keyed_edit_made_while_redis_is_down_is_written_to_the_store_when_redis_returns()
    {
        var (id, owner) = _sessions[0];
        var via = _cluster.Silos.Single(s => s.Name != owner);
        await _redis.StopAsync();

        using (var erase = await _cluster.Api.EraseAsync(via, id, "erase-during-outage"))
        {
            await SessionApi.EnsureAsync(erase, via);
            Assert.Equal(owner, SessionApi.Owner(erase));
        }

        await _redis.StartAsync();

        // The owner kept the record pending and writes it on its next retry: version 1 (the erase) is in Redis.
        var key = $"{_cluster.KeyPrefix}:session:{id}";
        var db = _redis.Connection.GetDatabase();
        await Eventually.UntilAsync(async () => await db.HashExistsAsync(key, "v1"), () => $"{key} to hold v1\n{_cluster.OutputTails}");
        using var meta = JsonDocument.Parse((string)(await db.HashGetAsync(key, "meta"))!);
        Assert.Equal(1, meta.RootElement.GetProperty("Current").GetInt32());
        Assert.Contains(meta.RootElement.GetProperty("AppliedEdits").EnumerateArray(), e => e.GetProperty("Key").GetString() == "erase-during-outage");
        Assert.Equal(1, await _cluster.Api.VersionAsync(via, id));
    }
}
