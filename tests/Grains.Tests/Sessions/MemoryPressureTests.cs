using System.Globalization;
using Atelier.Grains.Memory;
using Atelier.Grains.Storage;
using Atelier.Imaging;
using Atelier.Models.Adapters;
using Atelier.Models.Store;
using Atelier.Grains.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Atelier.Grains.Hosting;

namespace Atelier.Grains.Tests.Sessions;

public sealed class MemoryPressureTests(GrainsFixture fixture) : IClassFixture<GrainsFixture>
{
    private const int W = 200, H = 160;
    private const long EmbeddingBytes = 256 * 64 * 64 * sizeof(float);

    [Fact]
    public async Task With_room_for_two_of_three_models_the_lru_one_is_evicted_and_reloaded_and_no_run_fails()
    {
        var sizes = await ModelSizes("sam-demo", "lama-demo", "isnet");
        var budget = sizes.Values.Sum() - 1; // any two fit, never all three
        await using var cluster = await fixture.StartClusterAsync(settings: new Dictionary<string, string?>
        {
            ["Device:MemoryBudgetBytes"] = budget.ToString(CultureInfo.InvariantCulture),
        });
        var host = GrainsFixture.Host(cluster.Silos[0]);

        foreach (var id in new[] { "sam-demo", "lama-demo", "isnet", "sam-demo", "lama-demo" })
        {
            await host.LoadAsync(id, "s", default);
            Assert.InRange(host.Memory.DeviceBytesUsed, 0, budget);
        }

        var residency = host.Residency("s").ToDictionary(r => r.ModelId);
        Assert.Equal(2, residency["sam-demo"].Loads); // evicted by isnet, reloaded
        Assert.Equal(2, residency["lama-demo"].Loads);
        Assert.Equal(1, residency["isnet"].Loads);
        Assert.Equal(ModelState.OnDisk, residency["isnet"].State); // the least recently used one went
        Assert.True(residency["sam-demo"].Evictions >= 1);
    }

    [Fact]
    public async Task A_pinned_model_stays_while_others_rotate()
    {
        var sizes = await ModelSizes("sam-demo", "lama-demo", "isnet");
        var budget = sizes["isnet"] + Math.Max(sizes["sam-demo"], sizes["lama-demo"]);
        await using var cluster = await fixture.StartClusterAsync(settings: new Dictionary<string, string?>
        {
            ["Device:MemoryBudgetBytes"] = budget.ToString(CultureInfo.InvariantCulture),
            ["Models:Host:Pinned:0"] = "isnet",
        });
        var host = GrainsFixture.Host(cluster.Silos[0]);
        await host.LoadPinnedAsync(default);

        foreach (var id in new[] { "sam-demo", "lama-demo", "sam-demo", "lama-demo" })
        {
            await host.LoadAsync(id, "s", default);
        }

        var isnet = host.Residency("s").Single(r => r.ModelId == "isnet");
        Assert.Equal((ModelState.Loaded, 1L, 0L, true), (isnet.State, isnet.Loads, isnet.Evictions, isnet.Pinned));
        Assert.False(host.Unload("no-such-model"));
    }

    [Fact]
    public async Task Ten_sessions_in_room_for_three_embeddings_all_answer_correctly_within_budget()
    {
        var sizes = await ModelSizes("sam-demo");
        var budget = sizes["sam-demo"] + (3 * EmbeddingBytes);
        await using var cluster = await fixture.StartClusterAsync(settings: new Dictionary<string, string?>
        {
            ["Device:MemoryBudgetBytes"] = budget.ToString(CultureInfo.InvariantCulture),
            ["Device:HostBudgetBytes"] = (4 * EmbeddingBytes).ToString(CultureInfo.InvariantCulture),
            ["Models:Host:Pinned:0"] = "sam-demo",
        });
        var silo = cluster.Silos[0];
        var memory = GrainsFixture.Host(silo).Memory;
        await GrainsFixture.Host(silo).LoadPinnedAsync(default);

        var sessions = new List<(ISessionGrain Grain, int Cx, int Cy, bool[] Truth)>();
        for (var i = 0; i < 10; i++)
        {
            var (cx, cy) = (60 + (i * 7), 70 + (i * 3));
            var (scene, truth) = Scenes.Disk(W, H, cx, cy, 30);
            using (scene)
            {
                var grain = GrainsFixture.Session(silo);
                await grain.Open(new ImageUpload(PngEncoder.Encode(scene), null), new OpenSessionOptions(null, null), default);
                sessions.Add((grain, cx, cy, truth));
            }

            Assert.InRange(memory.DeviceBytesUsed, 0, budget);
            Assert.InRange(memory.HostBytesUsed, 0, 4 * EmbeddingBytes);
        }

        Assert.True(memory.Counters.Demotions > 0 && memory.Counters.Drops > 0, $"expected demotions and drops, got {memory.Counters}");
        var residencies = new List<EmbeddingResidency>();
        foreach (var session in sessions)
        {
            residencies.Add((await session.Grain.GetInfo(default)).Embedding);
        }

        // Oldest dropped, then demoted to host, newest on the device (3 fit there, 4 on the host).
        Assert.Equal(
            [.. Enumerable.Repeat(EmbeddingResidency.None, 3), .. Enumerable.Repeat(EmbeddingResidency.Host, 4), .. Enumerable.Repeat(EmbeddingResidency.Device, 3)],
            residencies);
        foreach (var (grain, cx, cy, truth) in sessions)
        {
            var result = await grain.Segment(new SegmentRequest([new PromptPoint(cx, cy, 1)], null, false, false, 0), default);
            using var mask = ImageDecoder.DecodeMask(result.BestMaskPng);
            Assert.True(Scenes.IoU(mask, truth) >= 0.9, $"IoU {Scenes.IoU(mask, truth):F3}");
            Assert.InRange(memory.DeviceBytesUsed, 0, budget);
            Assert.InRange(memory.HostBytesUsed, 0, 4 * EmbeddingBytes);
        }
    }

    [Fact]
    public async Task Fifty_concurrent_sessions_clicking_in_parallel_all_get_correct_masks()
    {
        // 50 encodes queue behind each other on 2 cores: allow calls to wait longer than the default 30 s.
        await using var cluster = await fixture.StartClusterAsync(services: s => s.Configure<Orleans.Configuration.SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromMinutes(5)));
        var silo = cluster.Silos[0];

        var tasks = Enumerable.Range(0, 50).Select(async i =>
        {
            var (cx, cy) = (50 + (i % 10 * 10), 50 + (i / 10 * 12));
            var (scene, truth) = Scenes.Disk(W, H, cx, cy, 25);
            byte[] png;
            using (scene)
            {
                png = PngEncoder.Encode(scene);
            }

            var grain = GrainsFixture.Session(silo);
            await grain.Open(new ImageUpload(png, null), new OpenSessionOptions(null, null), default);
            for (var click = 0; click < 3; click++)
            {
                var result = await grain.Segment(new SegmentRequest([new PromptPoint(cx + click, cy, 1)], null, false, false, 0), default);
                using var mask = ImageDecoder.DecodeMask(result.BestMaskPng);
                Assert.True(Scenes.IoU(mask, truth) >= 0.9, $"session {i} click {click}: IoU {Scenes.IoU(mask, truth):F3}");
            }

            await grain.Close(default);
        });

        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task A_session_comes_back_on_another_silo_from_the_store_when_its_silo_goes_away()
    {
        var store = new InMemorySessionStore();
        await using var cluster = await fixture.StartClusterAsync(2, services: s => s.AddSingleton<ISessionStore>(store));
        var (a, b) = (cluster.Silos[0], cluster.Silos[1]);
        var (scene, truth) = Scenes.Disk(W, H, 90, 80, 30);
        using var _ = scene;
        var id = Guid.NewGuid().ToString("N");
        var grain = a.GrainFactory.GetGrain<ISessionGrain>(id);
        var opened = await grain.Open(new ImageUpload(PngEncoder.Encode(scene), null), new OpenSessionOptions(null, null), default);
        await grain.Segment(new SegmentRequest([new PromptPoint(90, 80, 1)], null, false, false, 0), default);
        await grain.Erase(new EraseRequest(null, 5, true), default);
        var owner = cluster.Silos.Single(s => s.Name == opened.Silo);
        var survivor = owner == a ? b : a;

        await cluster.KillSiloAsync(owner); // a stop without drain: the store is all the survivor has
        var restored = survivor.GrainFactory.GetGrain<ISessionGrain>(id);
        var info = await restored.GetInfo(default);

        Assert.Equal((survivor.Name, 1, true), (info.Silo, info.Version, info.CanUndo));
        await restored.Undo(default);
        var result = await restored.Segment(new SegmentRequest([new PromptPoint(90, 80, 1)], null, false, false, 0), default);
        using var mask = ImageDecoder.DecodeMask(result.BestMaskPng);
        Assert.True(Scenes.IoU(mask, truth) >= 0.9);
        Assert.Equal(survivor.Name, result.Silo); // the executing owner, for X-Atelier-Silo
        Assert.Equal(survivor.Name, (await restored.GetImage(ImageEncoding.Png, default)).Silo);
    }

    private async Task<Dictionary<string, long>> ModelSizes(params string[] ids)
    {
        using var store = new FileSystemModelStore(
            Microsoft.Extensions.Options.Options.Create(new ModelStoreOptions { RootPath = fixture.ModelRoot }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<FileSystemModelStore>.Instance);
        var sizes = new Dictionary<string, long>();
        foreach (var id in ids)
        {
            var entry = (await store.GetAsync(id, default))!;
            sizes[id] = entry.Manifest.DeclaredBytes ?? entry.SizeBytes;
        }

        return sizes;
    }
}
