using Atelier.Runtime;

namespace Atelier.Cluster.Tests;

[Collection(RedisCollection.Name)]
public sealed class RedisMembershipTests(RedisServerFixture redis)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Joined_silo_is_seen_active_with_its_load_and_heartbeats_advance()
    {
        var options = redis.NewOptions("a");
        await using var a = redis.NewMembership(options);
        await using var b = redis.NewMembership(options);
        var silo = new SiloAddress("10.0.0.1:11111", 1);
        await a.StartAsync(default);
        await b.StartAsync(default);

        await a.ReportLoadAsync(new SiloLoad(silo) { Activations = 7, DeviceBytesBudget = 100, ResidentModels = ["sam"] }, default);
        await b.RefreshAsync(default);
        Assert.Equal(SiloStatus.Joining, b.GetStatus(silo));
        Assert.Empty(b.GetActiveSilos());

        await a.SetStatusAsync(silo, SiloStatus.Active, default);
        await WaitUntil(() => b.GetStatus(silo) == SiloStatus.Active); // pub/sub or periodic refresh
        var load = Assert.Single(b.GetActiveSilos());
        Assert.Equal(7, load.Activations);
        Assert.Equal(["sam"], load.ResidentModels);
        var row = Assert.Single(b.Rows);
        Assert.Equal("a", row.Name);

        var first = row.HeartbeatAtMs;
        await WaitUntil(() => b.Rows.Single().HeartbeatAtMs > first);
        Assert.Equal(SiloStatus.Dead, b.GetStatus(new SiloAddress("10.0.0.1:11111", 2))); // unknown generation
    }

    [Fact]
    public async Task Two_writers_declaring_a_stale_silo_dead_cannot_disagree()
    {
        var options = redis.NewOptions();
        await using var victim = redis.NewMembership(options); // never started: it stops heartbeating after joining
        var silo = new SiloAddress("victim:1", 1);
        await victim.ReportLoadAsync(new SiloLoad(silo), default);
        await victim.SetStatusAsync(silo, SiloStatus.Active, default);
        var declarers = Enumerable.Range(0, 8).Select(_ => redis.NewMembership(options)).ToArray();
        try
        {
            await Task.Delay(options.HeartbeatPeriod * (options.MissedHeartbeatsLimit + 2)); // heartbeat now stale
            await declarers[0].RefreshAsync(default);
            var version = declarers[0].ViewVersion;

            var outcomes = await Task.WhenAll(declarers.Select(d => d.TryDeclareDeadAsync(silo, version, default)));

            Assert.Single(outcomes, o => o > 0);
            Assert.Equal(version + 1, outcomes.Max());
            Assert.All(outcomes.Where(o => o <= 0), o => Assert.True(o is 0 or -2, $"outcome {o}"));
            Assert.Equal(-2, await declarers[1].TryDeclareDeadAsync(silo, version, default)); // judged on an old table
            foreach (var d in declarers)
            {
                await d.RefreshAsync(default);
                Assert.Equal(SiloStatus.Dead, d.GetStatus(silo));
                Assert.Equal(version + 1, d.ViewVersion);
            }
        }
        finally
        {
            foreach (var d in declarers)
            {
                await d.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Declaring_dead_a_silo_with_a_recent_heartbeat_is_refused()
    {
        var options = redis.NewOptions();
        await using var alive = redis.NewMembership(options);
        await using var other = redis.NewMembership(options);
        var silo = new SiloAddress("alive:1", 1);
        await alive.ReportLoadAsync(new SiloLoad(silo), default);
        await alive.SetStatusAsync(silo, SiloStatus.Active, default);
        await other.RefreshAsync(default);

        Assert.Equal(-1, await other.TryDeclareDeadAsync(silo, other.ViewVersion, default));
        await other.RefreshAsync(default);
        Assert.Equal(SiloStatus.Active, other.GetStatus(silo));
    }

    [Fact]
    public async Task Failure_detection_declares_a_silently_stopped_silo_dead_and_it_learns_it_is_dead()
    {
        var options = redis.NewOptions();
        await using var watcher = redis.NewMembership(options);
        var victim = redis.NewMembership(options);
        var silo = new SiloAddress("victim:2", 2);
        var evicted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        victim.DeclaredDead += (_, _) => evicted.TrySetResult();
        await victim.StartAsync(default);
        await victim.ReportLoadAsync(new SiloLoad(silo), default);
        await victim.SetStatusAsync(silo, SiloStatus.Active, default);
        await watcher.StartAsync(default);
        await WaitUntil(() => watcher.GetStatus(silo) == SiloStatus.Active);
        await Task.Delay(options.HeartbeatPeriod * (options.MissedHeartbeatsLimit + 2));
        Assert.Equal(SiloStatus.Active, watcher.GetStatus(silo)); // heartbeats keep it alive

        await victim.StopAsync(default); // its heartbeat loop stops, as in a hung process
        await WaitUntil(() => watcher.GetStatus(silo) == SiloStatus.Dead);
        Assert.Empty(watcher.GetActiveSilos());
        Assert.False(victim.IsDeclaredDead);

        await victim.ReportLoadAsync(new SiloLoad(silo), default); // the process wakes up and heartbeats
        await evicted.Task.WaitAsync(Patience);
        Assert.True(victim.IsDeclaredDead);
        await victim.SetStatusAsync(silo, SiloStatus.Active, default); // cannot write itself back to life
        await watcher.RefreshAsync(default);
        Assert.Equal(SiloStatus.Dead, watcher.GetStatus(silo));
        await victim.DisposeAsync();
    }

    [Fact]
    public async Task Graceful_leave_is_dead_without_raising_declared_dead()
    {
        var options = redis.NewOptions();
        await using var self = redis.NewMembership(options);
        var raised = false;
        self.DeclaredDead += (_, _) => raised = true;
        var silo = new SiloAddress("leaver:1", 1);
        await self.StartAsync(default);
        await self.ReportLoadAsync(new SiloLoad(silo), default);
        await self.SetStatusAsync(silo, SiloStatus.Active, default);
        await self.SetStatusAsync(silo, SiloStatus.ShuttingDown, default);
        Assert.Empty(self.GetActiveSilos());
        await self.SetStatusAsync(silo, SiloStatus.Dead, default);
        await self.ReportLoadAsync(new SiloLoad(silo), default);
        await Task.Delay(options.HeartbeatPeriod * 3);

        Assert.Equal(SiloStatus.Dead, self.GetStatus(silo));
        Assert.False(raised);
        Assert.False(self.IsDeclaredDead);
    }

    internal static Task WaitUntil(Func<bool> condition) => WaitUntil(() => Task.FromResult(condition()));

    internal static Task WaitUntil(Func<bool> condition, TimeSpan patience) => WaitUntil(() => Task.FromResult(condition()), patience);

    internal static Task WaitUntil(Func<Task<bool>> condition) => WaitUntil(condition, Patience);

    internal static async Task WaitUntil(Func<Task<bool>> condition, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Delay(20);
        }
    }
}
