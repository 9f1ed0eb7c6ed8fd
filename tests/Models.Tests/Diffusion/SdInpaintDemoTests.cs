using System.Security.Cryptography;
using System.Text;
using Atelier.Imaging;
using Atelier.Models.Adapters;
using Atelier.Models.Forge;
using Atelier.Models.Manifest;
using Atelier.Models.Store;
using Atelier.Models.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Atelier.Models.Tests.Diffusion;

/// <summary>The <c>sd-inpaint</c> adapter on <c>sd-inpaint-demo</c> (real ONNX Runtime), and registration of malformed folders.</summary>
[Collection(DemoModelsCollection.Name)]
public sealed class SdInpaintDemoTests(DemoModelsFixture models) : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "atelier-sd-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task The_demo_export_declares_the_optimum_interface()
    {
        var sd = await models.GetAsync<SdInpaintModel>(DemoModelForge.SdInpaintDemoId);

        Assert.Equal(Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int32, sd.Interface.InputIdsType);
        Assert.Equal(Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64, sd.Interface.TimestepType);
        Assert.Equal(1, sd.Interface.TimestepRank);
        Assert.Null(sd.Interface.UnetBatch);
        Assert.Equal("latent_sample", sd.Interface.VaeEncoderOutput);
        Assert.Equal(512, sd.Size);
        Assert.Equal(77, sd.Tokenizer.Length);
    }

    [Theory]
    [InlineData("a red object", 0)]
    [InlineData("a green vase", 1)]
    [InlineData("a BLUE car", 2)]
    public async Task Colour_word_sets_the_fill_and_only_masked_pixels_change(string prompt, int channel)
    {
        var sd = await models.GetAsync<SdInpaintModel>(DemoModelForge.SdInpaintDemoId);
        using var image = Scenes.Gradient(320, 240);
        using var mask = new Mask(320, 240);
        for (var y = 80; y < 160; y++)
        {
            mask.Row(y).Slice(120, 90).Fill(Mask.On);
        }

        using var result = sd.Inpaint(image, mask, new SdInpaintParameters(prompt, null, 8, 7.5f, 42));

        var sums = new double[3];
        var count = 0;
        for (var y = 0; y < 240; y++)
        {
            for (var x = 0; x < 320; x++)
            {
                var after = result.Row(y).Slice(x * 3, 3);
                if (!mask[x, y])
                {
                    Assert.True(after.SequenceEqual(image.Row(y).Slice(x * 3, 3)), $"pixel ({x}, {y}) outside the mask changed");
                }
                else if (x >= 130 && x < 200 && y >= 90 && y < 150)
                {
                    for (var c = 0; c < 3; c++)
                    {
                        sums[c] += after[c];
                    }

                    count++;
                }
            }
        }

        for (var c = 0; c < 3; c++)
        {
            var mean = sums[c] / count;
            Assert.True(c == channel ? mean > 200 : mean < 60, $"channel {c} averages {mean:F1} for '{prompt}'");
        }
    }

    [Fact]
    public async Task Same_seed_same_pixels_and_progress_counts_every_step()
    {
        var sd = await models.GetAsync<SdInpaintModel>(DemoModelForge.SdInpaintDemoId);
        using var image = Scenes.Gradient(200, 150);
        using var mask = new Mask(200, 150);
        for (var y = 40; y < 100; y++)
        {
            mask.Row(y).Slice(50, 70).Fill(Mask.On);
        }

        var steps = new List<(int, int)>();
        var parameters = new SdInpaintParameters("a yellow flower", "blurry", 5, 5f, 7);
        using var first = sd.Inpaint(image, mask, parameters, (done, total) => steps.Add((done, total)));
        using var second = sd.Inpaint(image, mask, parameters);

        Assert.Equal(first.Pixels.ToArray(), second.Pixels.ToArray());
        Assert.Equal([(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)], steps);
    }

    [Fact]
    public async Task Cancelling_between_steps_stops_the_run()
    {
        var sd = await models.GetAsync<SdInpaintModel>(DemoModelForge.SdInpaintDemoId);
        using var image = Scenes.Gradient(100, 100);
        using var mask = new Mask(100, 100);
        mask.Row(50).Fill(Mask.On);
        using var cancel = new CancellationTokenSource();

        Assert.ThrowsAny<OperationCanceledException>(() => sd.Inpaint(image, mask, new SdInpaintParameters("red", null, 10, 7.5f, 1), (done, _) =>
        {
            if (done == 3)
            {
                cancel.Cancel();
            }
        }, cancel.Token));
    }

    [Fact]
    public async Task Euler_ancestral_drives_the_fill_to_the_colour_too_and_is_deterministic_per_seed()
    {
        var folder = CopyDemo();
        var manifestPath = Path.Combine(folder, ModelManifest.FileName);
        var manifest = ModelManifestSerializer.Parse(File.ReadAllBytes(manifestPath));
        File.WriteAllBytes(manifestPath, ModelManifestSerializer.Serialize(manifest with
        {
            SdInpaint = manifest.SdInpaint! with { Scheduler = SdScheduler.EulerAncestral },
        }));
        using var store = NewStore();
        await store.RegisterFolderAsync(folder, default);
        var loader = new ModelLoader(store, Options.Create(new ModelLoaderOptions()), NullLogger<ModelLoader>.Instance);
        using var sd = (SdInpaintModel)await loader.LoadAsync(DemoModelForge.SdInpaintDemoId, default);
        using var image = Scenes.Gradient(160, 120);
        using var mask = new Mask(160, 120);
        for (var y = 30; y < 90; y++)
        {
            mask.Row(y).Slice(40, 80).Fill(Mask.On);
        }

        var parameters = new SdInpaintParameters("a green object", null, 12, 7.5f, 21);
        using var first = sd.Inpaint(image, mask, parameters);
        using var second = sd.Inpaint(image, mask, parameters);

        Assert.Equal(first.Pixels.ToArray(), second.Pixels.ToArray());
        var centre = first.Row(60).Slice(80 * 3, 3);
        Assert.True(centre[1] > 200 && centre[0] < 60 && centre[2] < 60, $"centre is ({centre[0]}, {centre[1]}, {centre[2]}), not green");
    }

    [Fact]
    public async Task A_unet_without_the_inpainting_interface_is_refused_at_registration_naming_the_file()
    {
        var folder = CopyDemo();
        // A text encoder where the UNet should be: valid ONNX, wrong interface.
        ReplaceFile(folder, "unet", SdInpaintDemoForge.BuildTextEncoder());

        var error = await Assert.ThrowsAsync<ModelRegistrationException>(() => NewStore().RegisterFolderAsync(folder, default));

        Assert.Equal("model_invalid", error.Code);
        Assert.Contains("unet", error.Message, StringComparison.Ordinal);
        Assert.Contains("sample", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_scheduler_config_is_refused_at_registration()
    {
        var folder = CopyDemo();
        ReplaceFile(folder, "scheduler", Encoding.UTF8.GetBytes("""{"prediction_type": "flow"}"""));

        var error = await Assert.ThrowsAsync<ModelRegistrationException>(() => NewStore().RegisterFolderAsync(folder, default));

        Assert.Equal("model_invalid", error.Code);
        Assert.Contains("prediction_type", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_folder_missing_a_role_is_refused_naming_it()
    {
        var folder = CopyDemo();
        var manifestPath = Path.Combine(folder, ModelManifest.FileName);
        var manifest = ModelManifestSerializer.Parse(File.ReadAllBytes(manifestPath));
        var files = new Dictionary<string, ModelFile>(manifest.Files);
        files.Remove("merges");
        File.WriteAllText(manifestPath, File.ReadAllText(manifestPath).Replace("\"merges\"", "\"mergez\"", StringComparison.Ordinal));

        var error = await Assert.ThrowsAsync<ModelRegistrationException>(() => NewStore().RegisterFolderAsync(folder, default));

        Assert.Equal("manifest_invalid", error.Code);
        Assert.Contains("merges", error.Message, StringComparison.Ordinal);
    }

    private FileSystemModelStore NewStore() =>
        new(Options.Create(new ModelStoreOptions { RootPath = Path.Combine(_root, "store") }), NullLogger<FileSystemModelStore>.Instance);

    private string CopyDemo()
    {
        var source = Path.Combine(models.ForgeFolder, DemoModelForge.SdInpaintDemoId);
        var target = Path.Combine(_root, DemoModelForge.SdInpaintDemoId);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }

        return target;
    }

    /// <summary>Writes new content for a role and updates its sha256 in model.json, so only the content is wrong.</summary>
    private static void ReplaceFile(string folder, string role, byte[] content)
    {
        var manifestPath = Path.Combine(folder, ModelManifest.FileName);
        var manifest = ModelManifestSerializer.Parse(File.ReadAllBytes(manifestPath));
        var file = manifest.Files[role];
        File.WriteAllBytes(Path.Combine(folder, file.Path), content);
        var files = new Dictionary<string, ModelFile>(manifest.Files) { [role] = file with { Sha256 = Convert.ToHexStringLower(SHA256.HashData(content)) } };
        File.WriteAllBytes(manifestPath, ModelManifestSerializer.Serialize(manifest with { Files = files }));
    }
}
