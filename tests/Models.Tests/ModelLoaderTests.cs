using Atelier.Models.Adapters;
using Atelier.Models.Forge;
using Atelier.Models.Manifest;
using Atelier.Models.Store;
using Atelier.Models.Tests.Support;
using Atelier.Imaging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Atelier.Models.Tests;

/// <summary><see cref="ModelLoader"/>: checksums, interface checks, the samexporter input convention, bytes.</summary>
[Collection(DemoModelsCollection.Name)]
public sealed class ModelLoaderTests(DemoModelsFixture models) : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "atelier-loader-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Load_of_a_model_whose_file_was_changed_fails_naming_the_file()
    {
        using var store = NewStore();
        var entry = (await store.RegisterFolderAsync(Path.Combine(models.ForgeFolder, DemoModelForge.SamDemoId), default)).Entry;
        await File.AppendAllTextAsync(entry.PathOf("decoder"), "tampered");
        var loader = new ModelLoader(store, Options.Create(new ModelLoaderOptions()), NullLogger<ModelLoader>.Instance);

        var error = await Assert.ThrowsAsync<ModelManifestException>(() => loader.LoadAsync(DemoModelForge.SamDemoId, default));

        Assert.Contains("decoder.onnx", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_of_an_unknown_id_fails_clearly()
    {
        var error = await Assert.ThrowsAsync<ModelManifestException>(() => models.Loader.LoadAsync("no-such-model", default));

        Assert.Contains("no-such-model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sam_encoder_without_a_known_input_name_is_rejected()
    {
        var w = new GraphWriter("bad_encoder");
        SamDemoForge.WriteEncoderBody(w, w.Input("pixels", 1, 3, 1024, 1024));
        var entry = await RegisterSamAsync("bad-encoder", w.Builder.ToBytes(), SamEncoderInput.Normalized1024);

        var error = await Assert.ThrowsAsync<ModelManifestException>(() => models.Loader.LoadAsync(entry, default));

        Assert.Contains("x or input_image or image", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hwc255_encoder_gets_the_resized_image_and_matches_the_normalized_export()
    {
        // A samexporter-style encoder: input_image [h, w, 3] in 0..255; the graph normalizes and pads to 1024,
        // then runs the same body as sam-demo's encoder. Both conventions must give the same embedding.
        var entry = await RegisterSamAsync("hwc-encoder", BuildHwcEncoder(), SamEncoderInput.Hwc255);
        using var hwc = (SamModel)await models.Loader.LoadAsync(entry, default);
        var normalized = await models.GetAsync<SamModel>(DemoModelForge.SamDemoId);
        using var image = Scenes.Fill(400, 250, (30, 160, 90));
        Scenes.Disk(image, 120, 140, 70, (250, 240, 20));

        using var a = hwc.Encode(image);
        using var b = normalized.Encode(image);
        var masks = hwc.Decode(a, SamPrompt.FromPoints(new SamPoint(120, 140, true)));

        Assert.Equal(SamEncoderInput.Hwc255, hwc.EncoderInput);
        var x = a.Value.GetTensorDataAsSpan<float>();
        var y = b.Value.GetTensorDataAsSpan<float>();
        for (var i = 0; i < x.Length; i++)
        {
            Assert.True(Math.Abs(x[i] - y[i]) <= 1e-5f, $"element {i}: {x[i]} vs {y[i]}");
        }

        using var mask = Assert.Single(masks);
        Assert.True(mask.Mask[120, 140]);
    }

    [Fact]
    public async Task Loaded_models_report_weights_and_bytes()
    {
        var isnet = await models.GetAsync<IsnetModel>("isnet");
        var lama = await models.GetAsync<LamaModel>(DemoModelForge.LamaDemoId);

        Assert.True(isnet.WeightBytes > 10_000_000, $"{isnet.WeightBytes}");
        Assert.Equal(Math.Max(isnet.WeightBytes, isnet.Entry.SizeBytes), isnet.Bytes);
        Assert.True(lama.WeightBytes > 0);
        Assert.Equal(lama.Entry.SizeBytes, lama.Bytes);
    }

    [Fact]
    public async Task A_truncated_onnx_file_fails_to_load_with_ORTs_reason_naming_the_file_not_the_store_path()
    {
        var full = await File.ReadAllBytesAsync(Path.Combine(models.ForgeFolder, DemoModelForge.SamDemoId, "encoder.onnx"));
        var entry = await RegisterSamAsync("truncated-encoder", full[..(full.Length / 2)], SamEncoderInput.Normalized1024);

        var error = await Assert.ThrowsAsync<ModelManifestException>(() => models.Loader.LoadAsync(entry, default));

        Assert.Contains("encoder.onnx: ONNX Runtime cannot load it", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(entry.Directory, error.Message, StringComparison.Ordinal);
        Assert.IsType<Microsoft.ML.OnnxRuntime.OnnxRuntimeException>(error.InnerException);
    }

    [Fact]
    public async Task Fp16_isnet_loads_accounts_its_weights_and_segments()
    {
        var folder = Path.Combine(_root, "isnet-fp16");
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(TestCache.Root, "models", "isnet-fp16")))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        var entry = (await models.Store.RegisterFolderAsync(folder, default)).Entry;
        using var isnet = (IsnetModel)await models.Loader.LoadAsync(entry, default);
        using var image = Scenes.Fill(320, 240, (30, 60, 200));
        Scenes.Disk(image, 160, 120, 70, (250, 240, 240));

        using var mask = isnet.Segment(image);

        // fp16 weights: two bytes per element, nearly the whole file.
        Assert.InRange(isnet.WeightBytes, entry.SizeBytes * 9 / 10, entry.SizeBytes);
        Assert.Equal(Math.Max(isnet.WeightBytes, entry.SizeBytes), isnet.Bytes);
        Assert.Equal(320, mask.Width);
        Assert.True(mask[160, 120], "the bright disk is the salient object");
        Assert.False(mask[5, 5], "the corner is background");
    }

    [Fact]
    public async Task Onnx_kind_loads_the_graph_as_it_is_with_its_session_by_role()
    {
        using var store = NewStore();
        var entry = await RegisterGenericAsync(store, ModelKind.Onnx);
        var loader = new ModelLoader(store, Options.Create(new ModelLoaderOptions()), NullLogger<ModelLoader>.Instance);

        using var model = await loader.LoadAsync(entry, default);

        Assert.IsType<OnnxModel>(model);
        Assert.Contains("image", model.SessionOf("model")!.InputNames);
        Assert.Null(model.SessionOf("encoder"));
    }

    private async Task<Atelier.Models.Store.ModelEntry> RegisterGenericAsync(FileSystemModelStore store, ModelKind kind)
    {
        var folder = Path.Combine(_root, "generic");
        Directory.CreateDirectory(folder);
        var model = await File.ReadAllBytesAsync(Path.Combine(models.ForgeFolder, DemoModelForge.LamaDemoId, "model.onnx"));
        await File.WriteAllBytesAsync(Path.Combine(folder, "model.onnx"), model);
        await WriteManifestAsync(folder, new ModelManifest
        {
            Id = "generic",
            Kind = kind,
            Version = "1",
            Files = new Dictionary<string, ModelFile> { ["model"] = new("model.onnx", Sha256(model)) },
        });
        return (await store.RegisterFolderAsync(folder, default)).Entry;
    }

    private static byte[] BuildHwcEncoder()
    {
        var w = new GraphWriter("hwc_encoder");
        var input = w.Input("input_image", "h", "w", 3);
        var chw = w.Op("Unsqueeze", [w.Transpose(input, 2, 0, 1), w.Longs(0)]); // [1,3,h,w]
        float[] mean = [123.675f, 116.28f, 103.53f], std = [58.395f, 57.12f, 57.375f];
        var normalized = w.Div(w.Sub(chw, w.Const(mean, 1, 3, 1, 1)), w.Const(std, 1, 3, 1, 1));
        var size = w.Slice(w.Op("Shape", [input]), 0, 0, 2); // [h, w]
        var pads = w.Concat(0, w.Longs(0, 0, 0, 0, 0, 0), w.Sub(w.Longs(1024, 1024), size));
        SamDemoForge.WriteEncoderBody(w, w.Op("Pad", [normalized, pads]));
        return w.Builder.ToBytes();
    }

    private async Task<ModelEntry> RegisterSamAsync(string id, byte[] encoder, SamEncoderInput convention)
    {
        var folder = Path.Combine(_root, id);
        Directory.CreateDirectory(folder);
        var decoder = await File.ReadAllBytesAsync(Path.Combine(models.ForgeFolder, DemoModelForge.SamDemoId, "decoder.onnx"));
        await File.WriteAllBytesAsync(Path.Combine(folder, "encoder.onnx"), encoder);
        await File.WriteAllBytesAsync(Path.Combine(folder, "decoder.onnx"), decoder);
        await WriteManifestAsync(folder, new ModelManifest
        {
            Id = id,
            Kind = ModelKind.Sam,
            Version = "test",
            Files = new Dictionary<string, ModelFile>
            {
                ["encoder"] = new("encoder.onnx", Sha256(encoder)),
                ["decoder"] = new("decoder.onnx", Sha256(decoder)),
            },
            Sam = new SamSettings { EncoderInput = convention },
        });
        return (await models.Store.RegisterFolderAsync(folder, default)).Entry;
    }

    private FileSystemModelStore NewStore() =>
        new(Options.Create(new ModelStoreOptions { RootPath = Path.Combine(_root, "store") }), NullLogger<FileSystemModelStore>.Instance);

    private static Task WriteManifestAsync(string folder, ModelManifest manifest) =>
        File.WriteAllBytesAsync(Path.Combine(folder, ModelManifest.FileName), ModelManifestSerializer.Serialize(manifest));

    private static string Sha256(byte[] data) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data));
}
