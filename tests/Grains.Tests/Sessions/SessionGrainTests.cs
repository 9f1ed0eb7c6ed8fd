using Atelier.Grains.Memory;
using Atelier.Grains.Sessions;
using Atelier.Imaging;
using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Grains.Tests.Sessions;

public sealed class SessionGrainTests(GrainsFixture fixture) : IClassFixture<GrainsFixture>
{
    private const int W = 320, H = 240, Cx = 150, Cy = 110, R = 50;

    [Fact]
    public async Task Open_segment_erase_undo_redo_close_on_a_generated_scene()
    {
        await using var cluster = await fixture.StartClusterAsync();
        var silo = cluster.Silos[0];
        var (scene, truth) = Scenes.Disk(W, H, Cx, Cy, R);
        using var _ = scene;
        var session = GrainsFixture.Session(silo);

        var opened = await session.Open(new ImageUpload(PngEncoder.Encode(scene), "image/png"), new OpenSessionOptions(null, null), default);
        Assert.Equal((W, H, "sam-demo", EmbeddingResidency.Device), (opened.Width, opened.Height, opened.Model, opened.Embedding));

        var segment = await session.Segment(new SegmentRequest([new PromptPoint(Cx, Cy, 1)], null, false, false, 0), default);
        using (var mask = ImageDecoder.DecodeMask(segment.BestMaskPng))
        {
            Assert.Equal((W, H), (mask.Width, mask.Height));
            Assert.True(Scenes.IoU(mask, truth) >= 0.9, $"IoU {Scenes.IoU(mask, truth):F3}");
            Assert.Equal(MaskOps.Area(mask), segment.Masks[0].Area);
        }

        const int Dilate = 9;
        var erased = await session.Erase(new EraseRequest(null, Dilate, Apply: true), default);
        Assert.Equal(1, erased.Session.Version);
        Assert.True(erased.Session.CanUndo);
        using (var edited = ImageDecoder.Decode(erased.ImagePng))
        using (var selection = ImageDecoder.DecodeMask(segment.BestMaskPng))
        using (var allowed = MaskOps.Dilate(selection, Dilate))
        {
            var changed = 0;
            for (var i = 0; i < W * H; i++)
            {
                var same = edited.Pixels.Slice(i * 3, 3).SequenceEqual(scene.Pixels.Slice(i * 3, 3));
                Assert.True(same || allowed.Data[i] != 0, $"pixel {i % W},{i / W} changed outside the dilated mask");
                changed += same ? 0 : 1;
            }

            Assert.True(changed > truth.Count(t => t) / 2, "the erase should repaint most of the disk");
        }

        var undone = await session.Undo(default);
        Assert.Equal((0, false, true), (undone.Version, undone.CanUndo, undone.CanRedo));
        using (var original = ImageDecoder.Decode((await session.GetImage(ImageEncoding.Png, default)).Content))
        {
            Assert.True(original.Pixels.SequenceEqual(scene.Pixels), "undo must restore the exact original pixels");
        }

        var redone = await session.Redo(default);
        Assert.Equal(1, redone.Version);
        using (var again = ImageDecoder.Decode((await session.GetImage(ImageEncoding.Png, default)).Content))
        using (var edited = ImageDecoder.Decode(erased.ImagePng))
        {
            Assert.True(again.Pixels.SequenceEqual(edited.Pixels));
        }

        await Assert.ThrowsAsync<NothingToUndoException>(() => session.Redo(default));
        await session.Close(default);
        await Assert.ThrowsAsync<SessionNotFoundException>(() => session.GetInfo(default));
    }

    [Fact]
    public async Task A_click_encodes_only_what_the_caller_reads_and_both_encodings_describe_the_same_mask()
    {
        await using var cluster = await fixture.StartClusterAsync();
        var (scene, truth) = Scenes.Disk(W, H, Cx, Cy, R);
        using var _ = scene;
        var session = GrainsFixture.Session(cluster.Silos[0]);
        await session.Open(new ImageUpload(PngEncoder.Encode(scene), "image/png"), new OpenSessionOptions(null, null), default);
        var click = new SegmentRequest([new PromptPoint(Cx, Cy, 1)], null, Multimask: true, false, 0);

        var png = await session.Segment(click with { Encodings = MaskEncodings.Png }, default);
        var rle = await session.Segment(click with { Encodings = MaskEncodings.Rle }, default);
        var both = await session.Segment(click, default);

        Assert.All(png.Masks, m => Assert.Null(m.Rle));
        Assert.NotEmpty(png.BestMaskPng);
        Assert.Empty(rle.BestMaskPng);
        Assert.All(rle.Masks, m => Assert.NotNull(m.Rle));
        Assert.Equal(rle.Masks.Select(m => m.Rle!.Counts), both.Masks.Select(m => m.Rle!.Counts));
        Assert.Equal(png.BestMaskPng, both.BestMaskPng);
        Assert.Equal(png.Masks.Select(m => (m.Score, m.Area)), rle.Masks.Select(m => (m.Score, m.Area)));

        using var fromPng = ImageDecoder.DecodeMask(png.BestMaskPng);
        using var fromRle = RleCodec.Decode(new CocoRle(rle.Masks[0].Rle!.Size[0], rle.Masks[0].Rle!.Size[1], rle.Masks[0].Rle!.Counts));
        Assert.True(fromPng.Data.SequenceEqual(fromRle.Data), "the PNG and the RLE of the best mask must be the same mask");
        Assert.True(Scenes.IoU(fromPng, truth) >= 0.9, $"IoU {Scenes.IoU(fromPng, truth):F3}");
    }

    [Fact]
    public async Task The_encoder_runs_once_per_image_version_however_many_clicks()
    {
        await using var cluster = await fixture.StartClusterAsync();
        var silo = cluster.Silos[0];
        var host = GrainsFixture.Host(silo);
        var (scene, _) = Scenes.Disk(W, H, Cx, Cy, R);
        using var _ = scene;
        var session = GrainsFixture.Session(silo);
        await session.Open(new ImageUpload(PngEncoder.Encode(scene), null), new OpenSessionOptions(null, null), default);

        for (var i = 0; i < 5; i++)
        {
            await session.Segment(new SegmentRequest([new PromptPoint(Cx + i, Cy, 1)], null, i % 2 == 0, false, 0), default);
        }

        Assert.Equal(1, host.RunCount("sam-demo", "encode"));
        Assert.Equal(5, host.RunCount("sam-demo", "decode"));

        await session.Erase(new EraseRequest(null, 5, Apply: true), default);
        await session.Segment(new SegmentRequest([new PromptPoint(20, 20, 1)], null, false, false, 0), default);
        await session.Segment(new SegmentRequest([new PromptPoint(25, 20, 1)], null, false, false, 0), default);

        Assert.Equal(2, host.RunCount("sam-demo", "encode"));
    }

    [Fact]
    public async Task Another_tenants_session_answers_as_unknown()
    {
        await using var cluster = await fixture.StartClusterAsync();
        var silo = cluster.Silos[0];
        var (scene, _) = Scenes.Disk(W, H, Cx, Cy, R);
        using var _ = scene;
        var session = GrainsFixture.Session(silo);
        CallContext.Set(CallContext.Tenant, "acme");
        try
        {
            await session.Open(new ImageUpload(PngEncoder.Encode(scene), null), new OpenSessionOptions(null, null), default);
            CallContext.Set(CallContext.Tenant, "globex");

            await Assert.ThrowsAsync<SessionNotFoundException>(() => session.GetInfo(default));

            CallContext.Set(CallContext.Tenant, "acme");
            Assert.Equal(W, (await session.GetInfo(default)).Width);
        }
        finally
        {
            RequestContext.Clear();
        }
    }

    [Fact]
    public async Task Bad_prompts_and_bad_uploads_are_typed_errors()
    {
        await using var cluster = await fixture.StartClusterAsync();
        var silo = cluster.Silos[0];
        var (scene, _) = Scenes.Disk(W, H, Cx, Cy, R);
        using var _ = scene;
        var session = GrainsFixture.Session(silo);

        await Assert.ThrowsAsync<UnsupportedMediaTypeException>(() =>
            GrainsFixture.Session(silo).Open(new ImageUpload("not an image"u8.ToArray(), null), new OpenSessionOptions(null, null), default));
        await Assert.ThrowsAsync<ModelNotFoundException>(() =>
            GrainsFixture.Session(silo).Open(new ImageUpload(PngEncoder.Encode(scene), null), new OpenSessionOptions("no-such-model", null), default));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => GrainsFixture.Session(silo).Segment(
            new SegmentRequest([new PromptPoint(1, 1, 1)], null, false, false, 0), default));

        await session.Open(new ImageUpload(PngEncoder.Encode(scene), null), new OpenSessionOptions(null, null), default);
        var outside = await Assert.ThrowsAsync<InvalidPromptException>(() => session.Segment(new SegmentRequest([new PromptPoint(W + 5, 1, 1)], null, false, false, 0), default));
        Assert.Contains("points[0]", outside.Message, StringComparison.Ordinal);
        var label = await Assert.ThrowsAsync<InvalidPromptException>(() => session.Segment(new SegmentRequest([new PromptPoint(1, 1, 2)], null, false, false, 0), default));
        Assert.Contains("labels[0]", label.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidPromptException>(() => session.Segment(new SegmentRequest([new PromptPoint(float.NaN, 1, 1)], null, false, false, 0), default));
        await Assert.ThrowsAsync<NoSelectionException>(() => session.Erase(new EraseRequest(null, 5, true), default));
        await Assert.ThrowsAsync<NothingToUndoException>(() => session.Undo(default));
        await Assert.ThrowsAsync<NoSelectionException>(() => session.Replace(new ReplaceRequest("a vase", null, 5, 20, 7.5f, 1, true), default));
        Assert.Contains("steps", (await Assert.ThrowsAsync<InvalidPromptException>(() =>
            session.Replace(new ReplaceRequest("a vase", null, 5, 151, 7.5f, 1, true), default))).Message, StringComparison.Ordinal);
        Assert.Contains("guidance", (await Assert.ThrowsAsync<InvalidPromptException>(() =>
            session.Replace(new ReplaceRequest("a vase", null, 5, 20, float.NaN, 1, true), default))).Message, StringComparison.Ordinal);

        // The session is still healthy after every rejected request.
        var ok = await session.Segment(new SegmentRequest([new PromptPoint(Cx, Cy, 1)], null, false, false, 0), default);
        Assert.NotEmpty(ok.Masks);
    }

    [Fact]
    public async Task Ttl_expiry_and_close_free_every_accounted_byte()
    {
        await using var cluster = await fixture.StartClusterAsync();
        var silo = cluster.Silos[0];
        var memory = GrainsFixture.Host(silo).Memory;
        var registry = silo.Services.GetRequiredService<SessionRegistry>();
        var (scene, _) = Scenes.Disk(W, H, Cx, Cy, R);
        using var _ = scene;
        var png = PngEncoder.Encode(scene);
        await GrainsFixture.Host(silo).LoadAsync("sam-demo", "x", default);
        var baseline = memory.DeviceBytesUsed;

        var closing = GrainsFixture.Session(silo);
        await closing.Open(new ImageUpload(png, null), new OpenSessionOptions(null, null), default);
        var expiring = GrainsFixture.Session(silo);
        await expiring.Open(new ImageUpload(png, null), new OpenSessionOptions(null, TimeSpan.FromSeconds(1)), default);
        Assert.True(memory.DeviceBytesUsed > baseline);

        await closing.Close(default);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (registry.Expired == 0)
        {
            await Task.Delay(50, deadline.Token);
        }

        Assert.Equal(baseline, memory.DeviceBytesUsed);
        Assert.Equal(0, memory.HostBytesUsed);
        await Assert.ThrowsAsync<SessionNotFoundException>(() => expiring.GetInfo(default));
        Assert.Equal(0, registry.Active);
    }

    [Fact]
    public async Task Half_precision_embeddings_take_half_the_memory_and_still_select_the_disk()
    {
        await using var cluster = await fixture.StartClusterAsync(settings: new Dictionary<string, string?>
        {
            ["Sessions:Cache:EmbeddingPrecision"] = "Float16",
        });
        var silo = cluster.Silos[0];
        var memory = GrainsFixture.Host(silo).Memory;
        var (scene, truth) = Scenes.Disk(W, H, Cx, Cy, R);
        using var _ = scene;
        var session = GrainsFixture.Session(silo);

        await session.Open(new ImageUpload(PngEncoder.Encode(scene), null), new OpenSessionOptions(null, null), default);
        var segment = await session.Segment(new SegmentRequest([new PromptPoint(Cx, Cy, 1)], null, false, false, 0), default);

        var embedding = Assert.Single(memory.Snapshot(), l => l.Kind == LeaseKind.SessionTensor);
        Assert.Equal(256L * 64 * 64 * 2, embedding.Bytes);
        using var mask = ImageDecoder.DecodeMask(segment.BestMaskPng);
        Assert.True(Scenes.IoU(mask, truth) >= 0.9, $"IoU {Scenes.IoU(mask, truth):F3}");
    }
}
