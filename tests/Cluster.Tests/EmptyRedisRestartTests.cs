using System.Net;

namespace Atelier.Cluster.Tests;

/// <summary>
/// Redis restarted <b>empty</b> (its data lost) under two real silo processes. Orleans' Redis membership cannot go on
/// without its table ("membership table version is missing"), so, as documented, every silo fails readiness naming the
/// recovery (restart every silo), while the sessions already active keep answering.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class EmptyRedisRestartTests(EmptyRedisRestartTests.EmptiedCluster fixture) : IClassFixture<EmptyRedisRestartTests.EmptiedCluster>
{
    private readonly SessionCluster _cluster = fixture.Cluster;
    private readonly List<(string Id, string Owner)> _sessions = fixture.Sessions;

    /// <summary>Two ready silos with four sessions, then their Redis killed and started again empty; shared by the tests.</summary>
    public sealed class EmptiedCluster : IAsyncLifetime
    {
        private readonly RedisServerFixture _redis = new();

        internal SessionCluster Cluster { get; private set; } = null!;

        internal List<(string Id, string Owner)> Sessions { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await _redis.StartAsync();
            Cluster = await SessionCluster.StartAsync(_redis.Configuration, _redis.NewPrefix("empty"), ["e0", "e1"]);
            Sessions = await Cluster.OpenManyAsync(Cluster.Silos[0], 4);
            foreach (var silo in Cluster.Silos)
            {
                using var ready = await Cluster.Http.GetAsync(new Uri(silo.BaseAddress, "/readyz"));
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            }

            await _redis.StopAsync();
            await _redis.StartAsync(empty: true);
        }

        public async Task DisposeAsync()
        {
            await Cluster.DisposeAsync();
            await _redis.DisposeAsync();
        }
    }

    [Fact]
    public async Task Every_silo_fails_readiness_and_logs_the_lost_membership_table_with_the_recovery_step()
    {
        foreach (var silo in _cluster.Silos)
        {
            await Eventually.UntilAsync(async () =>
            {
                using var ready = await _cluster.Http.GetAsync(new Uri(silo.BaseAddress, "/readyz"));
                return ready.StatusCode == HttpStatusCode.ServiceUnavailable;
            }, () => $"{silo.Name} /readyz to answer 503\n{silo.OutputTail}");
            await Eventually.UntilAsync(
                () => silo.OutputTail.Contains("lost the membership table", StringComparison.Ordinal)
                    && silo.OutputTail.Contains("restart every silo", StringComparison.Ordinal),
                () => $"{silo.Name} to log the readiness failure with its recovery step\n{silo.OutputTail}");
        }
    }

    [Fact]
    public async Task Sessions_already_active_keep_answering_clicks_through_every_silo()
    {
        foreach (var (id, owner) in _sessions)
        {
            foreach (var silo in _cluster.Silos)
            {
                using var click = await _cluster.Api.SegmentAsync(silo, id);
                await SessionApi.EnsureAsync(click, silo);
                Assert.Equal(owner, SessionApi.Owner(click));
            }
        }
    }
}
