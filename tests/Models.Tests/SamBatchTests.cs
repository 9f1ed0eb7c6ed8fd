using Atelier.Imaging;
using Atelier.Models.Adapters;
using Atelier.Models.Forge;
using Atelier.Models.Manifest;
using Atelier.Models.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Atelier.Models.Tests;

/// <summary>
/// Batched decoding on <c>sam-demo-batch</c> (a decoder with a dynamic batch dimension): a batch answers every
/// request exactly as a run of its own would, and as <c>sam-demo</c>'s batch-1 decoder does.
/// </summary>
[Collection(DemoModelsCollection.Name)]
public sealed class SamBatchTests(DemoModelsFixture models)
{
    [Fact]
    public async Task A_batch_of_mixed_prompts_answers_each_one_as_its_own_run_would()
    {
        var batched = await models.GetAsync<SamModel>(DemoModelForge.SamDemoBatchId);
        var single = await models.GetAsync<SamModel>(DemoModelForge.SamDemoId);
        Assert.Equal(DemoModelForge.SamDemoBatchMaxBatch, batched.DecoderMaxBatch);
        Assert.Equal(1, single.DecoderMaxBatch);

        using var disk = Scenes.Fill(640, 480, (40, 90, 160));
        Scenes.Disk(disk, 300, 220, 110, (220, 180, 60));
        using var boxes = Scenes.Fill(500, 700, (30, 30, 30));
        Scenes.Rectangle(boxes, 60, 80, 200, 240, (200, 60, 60));
        Scenes.Rectangle(boxes, 280, 300, 160, 200, (60, 200, 90));
        using var diskEmbedding = batched.Encode(disk);
        using var boxesEmbedding = batched.Encode(boxes);
        var first = batched.DecodeLowRes([new SamDecodeInput(diskEmbedding, SamPrompt.FromPoints(new SamPoint(290, 230, true)))])[0];

        // Different images, sizes, point counts (so the shorter prompts are padded), a box, multimask and a refine.
        SamDecodeInput[] requests =
        [
            new(diskEmbedding, SamPrompt.FromPoints(new SamPoint(290, 230, true))),
            new(boxesEmbedding, SamPrompt.FromPoints(new SamPoint(150, 200, true), new SamPoint(350, 400, true), new SamPoint(20, 20, false)), SamMaskOutput.Multiple),
            new(boxesEmbedding, new SamPrompt([], new SamBox(270, 290, 450, 510))),
            new(diskEmbedding, SamPrompt.FromPoints(new SamPoint(100, 100, false), new SamPoint(300, 220, true)), SamMaskOutput.Single, first[0].LowResLogits),
            new(diskEmbedding, SamPrompt.FromPoints(new SamPoint(20, 20, true)), SamMaskOutput.Multiple),
        ];

        var together = batched.DecodeLowRes(requests);

        Assert.Equal(requests.Length, together.Length);
        for (var i = 0; i < requests.Length; i++)
        {
            var alone = batched.DecodeLowRes([requests[i]])[0];
            var reference = single.DecodeLowRes([requests[i]])[0];
            AssertSame(alone, together[i], $"request {i}: batched vs alone");
            AssertSame(reference, together[i], $"request {i}: batched vs sam-demo");
        }

        Assert.Equal(3, together[1].Count);
        Assert.Single(together[0]);
    }

    [Fact]
    public async Task A_batch_larger_than_the_model_allows_is_refused()
    {
        var batched = await models.GetAsync<SamModel>(DemoModelForge.SamDemoBatchId);
        var single = await models.GetAsync<SamModel>(DemoModelForge.SamDemoId);
        using var image = Scenes.Fill(64, 64, (10, 20, 30));
        using var embedding = single.Encode(image);
        var request = new SamDecodeInput(embedding, SamPrompt.FromPoints(new SamPoint(5, 5, true)));

        Assert.Throws<ArgumentException>(() => single.DecodeLowRes([request, request]));
        Assert.Throws<ArgumentException>(() => batched.DecodeLowRes(Enumerable.Repeat(request, batched.DecoderMaxBatch + 1).ToArray()));
        Assert.Throws<ArgumentException>(() => batched.DecodeLowRes([]));
    }

    [Fact]
    public async Task A_manifest_that_declares_max_batch_for_a_fixed_batch_decoder_fails_to_load()
    {
        var root = Path.Combine(Path.GetTempPath(), "atelier-batch-" + Guid.NewGuid().ToString("N"));
        try
        {
            var folder = Path.Combine(root, "fixed");
            Directory.CreateDirectory(folder);
            var source = Path.Combine(models.ForgeFolder, DemoModelForge.SamDemoId);
            foreach (var name in new[] { "encoder.onnx", "decoder.onnx" })
            {
                File.Copy(Path.Combine(source, name), Path.Combine(folder, name));
            }

            var manifest = ModelManifestSerializer.Parse(await File.ReadAllBytesAsync(Path.Combine(source, ModelManifest.FileName)));
            var files = manifest.Files.ToDictionary();
            files["decoder"] = files["decoder"] with { MaxBatch = 4 };
            await File.WriteAllBytesAsync(Path.Combine(folder, ModelManifest.FileName), ModelManifestSerializer.Serialize(manifest with { Id = "fixed", Files = files }));
            var store = new Store.FileSystemModelStore(Options.Create(new Store.ModelStoreOptions { RootPath = Path.Combine(root, "store") }), NullLogger<Store.FileSystemModelStore>.Instance);
            await store.RegisterFolderAsync(folder, default);
            var loader = new ModelLoader(store, Options.Create(new ModelLoaderOptions()), NullLogger<ModelLoader>.Instance);

            var error = await Assert.ThrowsAsync<ModelManifestException>(() => loader.LoadAsync("fixed", default));

            Assert.Contains("maxBatch 4", error.Message, StringComparison.Ordinal);
            Assert.Contains("image_embeddings", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("sam", "decoder", 0, "must be in 1..256")]
    [InlineData("sam", "decoder", 257, "must be in 1..256")]
    [InlineData("sam", "encoder", 4, "decoder of a 'sam' model only")]
    [InlineData("isnet", "model", 2, "decoder of a 'sam' model only")]
    public void Max_batch_is_bounded_and_only_for_a_sam_decoder(string kind, string role, int maxBatch, string problem)
    {
        var sha = new string('a', 64);
        var files = kind == "sam"
            ? new Dictionary<string, ModelFile> { ["encoder"] = new("e.onnx", sha), ["decoder"] = new("d.onnx", sha) }
            : new Dictionary<string, ModelFile> { ["model"] = new("m.onnx", sha) };
        files[role] = files[role] with { MaxBatch = maxBatch };
        var manifest = new ModelManifest
        {
            Id = "m",
            Kind = kind == "sam" ? ModelKind.Sam : ModelKind.Isnet,
            Version = "1",
            Files = files,
        };

        var error = Assert.Throws<ModelManifestException>(() => ModelManifestValidator.Validate(manifest, "model.json"));

        Assert.Contains($"files.{role}.maxBatch", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Same outputs, same order, same masks; values within float rounding (ORT may sum a reduction in another order when
    /// the batch changes a tensor's size, so the logits along a region's border can differ in the last bits).
    /// </summary>
    private static void AssertSame(IReadOnlyList<SamLowResMask> expected, IReadOnlyList<SamLowResMask> actual, string what)
    {
        Assert.True(expected.Count == actual.Count, $"{what}: {actual.Count} masks, expected {expected.Count}");
        for (var m = 0; m < expected.Count; m++)
        {
            Assert.True(expected[m].OutputIndex == actual[m].OutputIndex, $"{what}: mask {m} is output {actual[m].OutputIndex}, expected {expected[m].OutputIndex}");
            Assert.True(Math.Abs(expected[m].PredictedIou - actual[m].PredictedIou) <= 1e-6, $"{what}: mask {m} IoU {actual[m].PredictedIou} vs {expected[m].PredictedIou}");
            var pairs = expected[m].LowResLogits.Zip(actual[m].LowResLogits).ToArray();
            var largest = pairs.Max(p => Math.Abs(p.First - p.Second));
            var flipped = pairs.Count(p => p.First > 0 != p.Second > 0);
            Assert.True(largest <= 1e-3 && flipped == 0, $"{what}: mask {m} logits differ by up to {largest}, {flipped} cells change side");
        }
    }
}
