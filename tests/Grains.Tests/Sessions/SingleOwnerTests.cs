using Atelier.Grains.Storage;
using Atelier.Grains.Tests.Support;
using Atelier.Imaging;
using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Grains.Tests.Sessions;

/// <summary>
/// Exactly one owner per session while the membership churns (Orleans' distributed grain directory, in-process silos): a
/// silo joins and another stops while keyed edits and clicks run over every session through every silo. A duplicate
/// activation would fork a session's edits; afterwards each session answers from one silo and holds exactly the edits
/// that were acknowledged, each applied once.
/// </summary>
public sealed class SingleOwnerTests(GrainsFixture fixture) : IClassFixture<GrainsFixture>
{
    private const int Sessions = 12, EditsPerSession = 4;

    [Fact]
    public async Task Every_session_has_one_owner_and_every_acknowledged_edit_once_after_silos_join_and_leave()
    {
        var store = new InMemorySessionStore(); // what Redis is to real silos: a session whose silo left can come back
        await using var cluster = await fixture.StartClusterAsync(3, services: s => s.AddSingleton<ISessionStore>(store));
        var (scene, _) = Scenes.Disk(96, 64, 40, 30, 12);
        using var image = scene;
        var png = PngEncoder.Encode(image);
        var ids = new List<string>();
        for (var i = 0; i < Sessions; i++)
        {
            var id = Guid.NewGuid().ToString("N");
            await cluster.Silos[i % 3].GrainFactory.GetGrain<ISessionGrain>(id).Open(new ImageUpload(png, null), new OpenSessionOptions(null, null), default);
            ids.Add(id);
        }

        var acknowledged = ids.ToDictionary(id => id, _ => 0);
        var edits = Task.Run(async () =>
        {
            for (var round = 0; round < EditsPerSession; round++)
            {
                foreach (var id in ids)
                {
                    await EraseOnceAsync(cluster, id, key: $"{id}-{round}");
                    acknowledged[id]++;
                    await ClickAsync(cluster, id);
                }
            }
        });

        // Churn while the edits run: a silo joins, then the first silo leaves (its sessions drain or restore from the store).
        await Task.Delay(200);
        await cluster.StartAdditionalSiloAsync();
        await Task.Delay(200);
        await cluster.StopSiloAsync(cluster.Silos[0]);
        await edits;

        foreach (var id in ids)
        {
            var owners = new HashSet<string>();
            foreach (var silo in cluster.Silos)
            {
                var info = await silo.GrainFactory.GetGrain<ISessionGrain>(id).GetInfo(default);
                owners.Add(info.Silo);
                Assert.Equal(acknowledged[id], info.Version); // each acknowledged key applied once, none lost
            }

            Assert.Single(owners);
        }
    }

    /// <summary>An erase under an idempotency key, sent again (same key) through another silo while the cluster is changing under it.</summary>
    private static async Task EraseOnceAsync(GrainCluster cluster, string id, string key)
    {
        for (var attempt = 0; ; attempt++)
        {
            var silos = cluster.Silos;
            CallContext.Set(CallContext.IdempotencyKey, key);
            try
            {
                await silos[attempt % silos.Count].GrainFactory.GetGrain<ISessionGrain>(id).Erase(new EraseRequest(SquareMask(), 0, Apply: true), default);
                return;
            }
            catch (Exception e) when (attempt < 20 && e is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException)
            {
                await Task.Delay(100);
            }
            finally
            {
                RequestContext.Clear();
            }
        }
    }

    private static async Task ClickAsync(GrainCluster cluster, string id)
    {
        for (var attempt = 0; ; attempt++)
        {
            var silos = cluster.Silos;
            try
            {
                await silos[(attempt + 1) % silos.Count].GrainFactory.GetGrain<ISessionGrain>(id)
                    .Segment(new SegmentRequest([new PromptPoint(40, 30, 1)], null, false, false, 0), default);
                return;
            }
            catch (Exception e) when (attempt < 20 && e is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException)
            {
                await Task.Delay(100);
            }
        }
    }

    private static byte[] SquareMask()
    {
        using var mask = new Mask(96, 64);
        for (var y = 5; y < 15; y++)
        {
            mask.Row(y)[5..15].Fill(Mask.On);
        }

        return PngEncoder.Encode(mask);
    }
}
