using System.Net;
using Xunit.Abstractions;

namespace Atelier.Cluster.Tests;

/// <summary>Three real <c>Atelier.Silo</c> processes serving real sessions (SAM demo model, Redis store).</summary>
[Collection(RedisCollection.Name)]
public sealed class SessionRoutingTests(RedisServerFixture redis, ITestOutputHelper output)
{
    [Fact]
    public async Task Sixty_sessions_opened_through_one_silo_spread_over_three_and_any_silo_routes_each_request_to_the_owner()
    {
        await using var cluster = await SessionCluster.StartAsync(redis, ["r0", "r1", "r2"]);
        var (silos, api) = (cluster.Silos, cluster.Api);
        var picture = SessionApi.Picture();

        var sessions = await cluster.OpenManyAsync(silos[0], 60, picture);

        var spread = sessions.GroupBy(s => s.Owner).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine("sessions per silo: " + string.Join(", ", spread.Select(p => $"{p.Key}={p.Value}")));
        Assert.Equal(["r0", "r1", "r2"], spread.Keys.Order());
        for (var i = 0; i < sessions.Count; i++)
        {
            var (id, owner) = sessions[i];
            using (var info = await api.InfoAsync(silos[i % 3], id))
            {
                await SessionApi.EnsureAsync(info, silos[i % 3]);
                Assert.Equal(owner, SessionApi.Owner(info));
            }

            using (var click = await api.SegmentAsync(silos[(i + 1) % 3], id))
            {
                await SessionApi.EnsureAsync(click, silos[(i + 1) % 3]);
                Assert.Equal(owner, SessionApi.Owner(click));
            }

            using (var image = await api.ImageAsync(silos[(i + 2) % 3], id))
            {
                await SessionApi.EnsureAsync(image, silos[(i + 2) % 3]);
                Assert.Equal(owner, SessionApi.Owner(image));
                Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
            }
        }

        // An erase sent twice with one Idempotency-Key (through two silos) is applied once; the key cannot name another edit.
        var (edited, editedOwner) = sessions[^1];
        byte[] first;
        using (var erase = await api.EraseAsync(silos[0], edited, "routing-erase-1"))
        {
            await SessionApi.EnsureAsync(erase, silos[0]);
            Assert.Equal(editedOwner, SessionApi.Owner(erase));
            first = await erase.Content.ReadAsByteArrayAsync();
        }

        using (var again = await api.EraseAsync(silos[1], edited, "routing-erase-1"))
        {
            await SessionApi.EnsureAsync(again, silos[1]);
            Assert.Equal(first, await again.Content.ReadAsByteArrayAsync());
        }

        Assert.Equal(1, await api.VersionAsync(silos[2], edited));
        using (var reused = new HttpRequestMessage(HttpMethod.Post, new Uri(silos[2].BaseAddress, $"/v1/sessions/{edited}/undo")))
        {
            reused.Headers.Add("Idempotency-Key", "routing-erase-1");
            using var refused = await cluster.Http.SendAsync(reused);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        Assert.Equal(1, await api.VersionAsync(silos[0], edited));
        using (var tooLong = new HttpRequestMessage(HttpMethod.Post, new Uri(silos[1].BaseAddress, $"/v1/sessions/{edited}/undo")))
        {
            tooLong.Headers.TryAddWithoutValidation("Idempotency-Key", new string('k', 256)); // above Api:MaxIdempotencyKeyLength
            using var refused = await cluster.Http.SendAsync(tooLong);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(1, await api.VersionAsync(silos[0], edited));

        // An id nobody opened answers 404 and leaves no activation behind (its directory entry goes away).
        using (var unknown = await api.InfoAsync(silos[1], "NeverOpenedSession"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        var entry = $"{cluster.Options.KeyPrefix}:dir:{typeof(Atelier.Grains.ISessionGrain).FullName}/NeverOpenedSession";
        await RedisMembershipTests.WaitUntil(async () => !await redis.Connection.GetDatabase().KeyExistsAsync(entry), TimeSpan.FromSeconds(60));

        // Close through a silo that does not own the session: the owner closes it and says so; it is gone everywhere.
        foreach (var (id, owner) in sessions.Take(6))
        {
            var via = silos.First(s => s.Name != owner);
            using var closed = await api.CloseAsync(via, id);
            Assert.Equal(HttpStatusCode.NoContent, closed.StatusCode);
            Assert.Equal(owner, SessionApi.Owner(closed));
            foreach (var silo in silos)
            {
                using var gone = await api.InfoAsync(silo, id);
                Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
            }
        }
    }
}
