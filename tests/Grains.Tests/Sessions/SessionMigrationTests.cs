using Atelier.Grains.Hosting;
using Atelier.Grains.Memory;
using Atelier.Imaging;
using Atelier.Grains.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Grains.Tests.Sessions;

/// <summary>
/// Sessions moving between silos with their state (real runtime, real ONNX Runtime, the SAM demo model). Every silo has
/// its own in-memory session store here, so whatever the target knows about a session came with the migration.
/// </summary>
public sealed class SessionMigrationTests(GrainsFixture fixture) : IClassFixture<GrainsFixture>
{
    private const int W = 320, H = 240, Cx = 150, Cy = 110, R = 50;

    [Theory]
    [InlineData("Float32")]
    [InlineData("Float16")]
    public async Task Migrated_session_keeps_versions_selection_and_embedding_without_re_encoding(string precision)
    {
        var settings = new Dictionary<string, string?> { ["Sessions:Cache:EmbeddingPrecision"] = precision };
        await using var cluster = await StartAsync(settings, settings);
        var (scene, truth) = Scenes.Disk(W, H, Cx, Cy, R);
        using var _ = scene;
        var session = GrainsFixture.Session(cluster.Silos[0]);
        var opened = await session.Open(new ImageUpload(PngEncoder.Encode(scene), null), new OpenSessionOptions(null, null), default);
        var a = cluster.Silos.Single(s => s.Name == opened.Silo); // placement chose the owner; b is the other
        var b = cluster.Silos.Single(s => s != a);
        await session.Segment(new SegmentRequest([new PromptPoint(Cx, Cy, 1)], null, false, false, 0), default);
        await session.Erase(new EraseRequest(null, 5, Apply: true), default);
        await session.Undo(default); // version 0 again, with version 1 to redo
        await session.Segment(new SegmentRequest([new PromptPoint(Cx, Cy, 1)], null, false, false, 0), default); // selection + refine logits
        var sourceLease = Assert.Single(SessionTensors(a));
        Assert.Equal(2, GrainsFixture.Host(a).RunCount("sam-demo", "encode"));

        await cluster.MigrateAsync(session, b);

        Assert.Empty(SessionTensors(a)); // the source released every accounted byte
        var targetLease = Assert.Single(SessionTensors(b));
        Assert.Equal((sourceLease.Bytes, MemoryTier.Device), (targetLease.Bytes, targetLease.Tier)); // same precision, same bytes
        var info = await session.GetInfo(default);
        Assert.Equal((b.Name, 0, false, true, EmbeddingResidency.Device), (info.Silo, info.Version, info.CanUndo, info.CanRedo, info.Embedding));

        var preview = await session.Erase(new EraseRequest(null, 5, Apply: false), default); // needs the selection that travelled
        Assert.Equal(0, preview.Session.Version);
        var refined = await session.Segment(new SegmentRequest([new PromptPoint(Cx + 3, Cy, 1)], null, false, Refine: true, 0), default);
        using (var mask = ImageDecoder.DecodeMask(refined.BestMaskPng))
        {
            Assert.True(Scenes.IoU(mask, truth) >= 0.9, $"IoU {Scenes.IoU(mask, truth):F3}");
        }

        Assert.Equal(b.Name, refined.Silo);
        Assert.Equal(0, GrainsFixture.Host(b).RunCount("sam-demo", "encode")); // the embedding came along
        Assert.Equal(1, GrainsFixture.Host(b).RunCount("sam-demo", "decode"));
        using (var original = ImageDecoder.Decode((await session.GetImage(ImageEncoding.Png, default)).Content))
        {
            Assert.True(original.Pixels.SequenceEqual(scene.Pixels), "the current version must be the exact original");
        }

        var redone = await session.Redo(default); // the erased version travelled too
        Assert.Equal((1, true, false), (redone.Version, redone.CanUndo, redone.CanRedo));
    }

    [Fact]
    public async Task Migrated_embedding_lands_on_the_host_tier_when_the_target_device_holds_only_pinned_models()
    {
        var samBytes = await ModelBytesAsync("sam-demo");
        var roomy = new Dictionary<string, string?>();
        var full = new Dictionary<string, string?>
        {
            ["Models:Host:Pinned:0"] = "sam-demo",
            ["Device:MemoryBudgetBytes"] = samBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Device:HostBudgetMB"] = "256",
        };
        await using var cluster = await StartAsync(roomy, full);
        var (a, b) = (cluster.Silos[0], cluster.Silos[1]);
        await GrainsFixture.Host(b).LoadPinnedAsync(default);
        var (scene, truth) = Scenes.Disk(W, H, Cx, Cy, R);
        using var _ = scene;
        var session = await OpenOnAsync(a, PngEncoder.Encode(scene));
        var encodesOnB = GrainsFixture.Host(b).RunCount("sam-demo", "encode");

        await cluster.MigrateAsync(session, b);

        var info = await session.GetInfo(default);
        Assert.Equal((b.Name, EmbeddingResidency.Host), (info.Silo, info.Embedding));
        var result = await session.Segment(new SegmentRequest([new PromptPoint(Cx, Cy, 1)], null, false, false, 0), default);
        using var mask = ImageDecoder.DecodeMask(result.BestMaskPng);
        Assert.True(Scenes.IoU(mask, truth) >= 0.9, $"IoU {Scenes.IoU(mask, truth):F3}");
        Assert.Equal(encodesOnB, GrainsFixture.Host(b).RunCount("sam-demo", "encode"));
        var memory = GrainsFixture.Host(b).Memory;
        Assert.True(memory.DeviceBytesUsed <= memory.DeviceBudgetBytes);
    }

    [Fact]
    public async Task Stopping_a_silo_drains_its_sessions_to_the_other_silo_with_their_embeddings()
    {
        await using var cluster = await StartAsync(new Dictionary<string, string?>(), new Dictionary<string, string?>());
        var (scene, truth) = Scenes.Disk(W, H, Cx, Cy, R);
        using var _ = scene;
        var ids = new List<string>();
        var owners = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var session = GrainsFixture.Session(cluster.Silos[0]);
            var opened = await session.Open(new ImageUpload(PngEncoder.Encode(scene), null), new OpenSessionOptions(null, null), default);
            ids.Add(session.GetPrimaryKeyString());
            owners.Add(opened.Silo);
        }

        var b = cluster.Silos.Single(s => s.Name == owners[0]); // stop the owner of the first (and maybe more)
        var a = cluster.Silos.Single(s => s != b);
        var sessions = ids.Select(id => a.GrainFactory.GetGrain<ISessionGrain>(id)).ToList();
        var encodesBefore = GrainsFixture.Host(a).RunCount("sam-demo", "encode"); // the opens placed on a

        await cluster.StopSiloAsync(b);

        foreach (var session in sessions)
        {
            var result = await session.Segment(new SegmentRequest([new PromptPoint(Cx, Cy, 1)], null, false, false, 0), default);
            Assert.Equal(a.Name, result.Silo);
            using var mask = ImageDecoder.DecodeMask(result.BestMaskPng);
            Assert.True(Scenes.IoU(mask, truth) >= 0.9, $"IoU {Scenes.IoU(mask, truth):F3}");
        }

        Assert.Equal(encodesBefore, GrainsFixture.Host(a).RunCount("sam-demo", "encode")); // moved sessions brought their embeddings
        Assert.Equal(sessions.Count, SessionTensors(a).Count);
    }

    [Fact]
    public async Task Sessions_whose_migration_fails_come_back_from_the_store()
    {
        var store = new Atelier.Grains.Storage.InMemorySessionStore(); // shared: what a Redis store is to real silos

        // A migration message this small cannot carry a session (its image versions and embedding), so the drain's
        // migration of every session fails and each one simply deactivates.
        await using var cluster = await fixture.StartClusterAsync(
            2,
            services: s => s.AddSingleton<Atelier.Grains.Storage.ISessionStore>(store)
                .Configure<Orleans.Configuration.SiloMessagingOptions>(o => o.MaxMessageBodySize = 64 * 1024),
            placeOnCallingSilo: true);
        var (a, b) = (cluster.Silos[0], cluster.Silos[1]);
        var (scene, truth) = Scenes.Disk(W, H, Cx, Cy, R);
        using var _ = scene;
        using var hole = Square(W, H);
        var holePng = PngEncoder.Encode(hole);
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var session = GrainsFixture.Session(a);
            await session.Open(new ImageUpload(PngEncoder.Encode(scene), null), new OpenSessionOptions(null, null), default);
            await session.Erase(new EraseRequest(holePng, 3, Apply: true), default);
            ids.Add(session.GetPrimaryKeyString());
        }

        await cluster.StopSiloAsync(a);

        foreach (var id in ids)
        {
            var session = b.GrainFactory.GetGrain<ISessionGrain>(id);
            var info = await session.Undo(default); // the applied edit survived in the store
            Assert.Equal((b.Name, 0), (info.Silo, info.Version));
            var result = await session.Segment(new SegmentRequest([new PromptPoint(Cx, Cy, 1)], null, false, false, 0), default);
            using var mask = ImageDecoder.DecodeMask(result.BestMaskPng);
            Assert.True(Scenes.IoU(mask, truth) >= 0.9, $"IoU {Scenes.IoU(mask, truth):F3}");
        }
    }

    /// <summary>A small square mask (white on black) at the image size.</summary>
    private static Mask Square(int width, int height)
    {
        var mask = new Mask(width, height);
        for (var y = 10; y < 30; y++)
        {
            mask.Row(y)[10..30].Fill(Mask.On);
        }

        return mask;
    }

    /// <summary>
    /// Opens sessions through <paramref name="silo"/> until one is placed there (placement is resource-aware and
    /// reads load reports that may be a moment old, so a new session may land on either silo); the others are closed,
    /// or failed to open on a silo with no room.
    /// </summary>
    private static async Task<ISessionGrain> OpenOnAsync(GrainSilo silo, byte[] png)
    {
        var seen = new List<string>();
        for (var attempt = 0; attempt < 40; attempt++)
        {
            var session = GrainsFixture.Session(silo);
            try
            {
                var opened = await session.Open(new ImageUpload(png, null), new OpenSessionOptions(null, null), default);
                if (opened.Silo == silo.Name)
                {
                    return session;
                }

                seen.Add(opened.Silo);

                await session.Close(default);
            }
            catch (OverloadedException e)
            {
                seen.Add(e.Message);
                // placed on the silo whose device holds only its pinned model: try another id
            }
        }

        throw new Xunit.Sdk.XunitException($"no session was placed on {silo.Name} in 40 attempts: {string.Join("; ", seen.Distinct())}");
    }

    private static List<LeaseInfo> SessionTensors(GrainSilo silo) =>
        [.. GrainsFixture.Host(silo).Memory.Snapshot().Where(l => l.Kind == LeaseKind.SessionTensor)];

    /// <summary>Two silos with their own settings and session stores; sessions are placed on the silo that opens them.</summary>
    private Task<GrainCluster> StartAsync(IDictionary<string, string?> first, IDictionary<string, string?> second) =>
        fixture.StartClusterAsync(2, i => i == 0 ? first : second, placeOnCallingSilo: true);

    private async Task<long> ModelBytesAsync(string id)
    {
        using var store = new Atelier.Models.Store.FileSystemModelStore(
            Microsoft.Extensions.Options.Options.Create(new Atelier.Models.Store.ModelStoreOptions { RootPath = fixture.ModelRoot }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Atelier.Models.Store.FileSystemModelStore>.Instance);
        var entry = (await store.GetAsync(id, default))!;
        return entry.Manifest.DeclaredBytes ?? entry.SizeBytes;
    }
}
