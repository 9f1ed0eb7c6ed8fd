using System.Text;
using Atelier.Models.Manifest;

namespace Atelier.Models.Tests;

public sealed class ModelManifestTests
{
    private const string Sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static string Sam(string extra = "", string files = $$"""
        "encoder": { "path": "encoder.onnx", "sha256": "{{Sha}}" },
        "decoder": { "path": "decoder.onnx", "sha256": "{{Sha}}" }
        """) => $$"""
        { "id": "sam-vit-b", "kind": "sam", "version": "1.0", "files": { {{files}} } {{extra}} }
        """;

    private static ModelManifest Parse(string json) => ModelManifestSerializer.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Sam_manifest_with_samexporter_input_parses_and_round_trips()
    {
        var manifest = Parse(Sam(""", "sam": { "encoderInput": "hwc-255" }, "tenant": "acme" """));

        Assert.Equal(ModelKind.Sam, manifest.Kind);
        Assert.Equal(SamEncoderInput.Hwc255, manifest.Sam!.EncoderInput);
        Assert.Equal("acme", manifest.Tenant);
        Assert.Equal("encoder.onnx", manifest.Files["encoder"].Path);

        var again = ModelManifestSerializer.Parse(ModelManifestSerializer.Serialize(manifest));
        Assert.Equal(manifest.Sam, again.Sam);
        Assert.Equal(manifest.Files["decoder"], again.Files["decoder"]);
    }

    [Fact]
    public void Kinds_are_written_in_kebab_case()
    {
        var manifest = new ModelManifest
        {
            Id = "sd",
            Kind = ModelKind.SdInpaint,
            Version = "1",
            Files = new Dictionary<string, ModelFile>
            {
                ["text_encoder"] = new("text_encoder/model.onnx", Sha),
                ["unet"] = new("unet/model.onnx", Sha),
                ["vae_encoder"] = new("vae_encoder/model.onnx", Sha),
                ["vae_decoder"] = new("vae_decoder/model.onnx", Sha),
                ["vocab"] = new("tokenizer/vocab.json", Sha),
                ["merges"] = new("tokenizer/merges.txt", Sha),
                ["scheduler"] = new("scheduler/scheduler_config.json", Sha),
            },
        };

        var json = Encoding.UTF8.GetString(ModelManifestSerializer.Serialize(manifest));

        Assert.Contains("\"kind\": \"sd-inpaint\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Sd_inpaint_accepts_external_data_roles_and_refuses_other_extras()
    {
        var files = new Dictionary<string, ModelFile>
        {
            ["text_encoder"] = new("text_encoder/model.onnx", Sha),
            ["unet"] = new("unet/model.onnx", Sha),
            ["unet_data"] = new("unet/model.onnx_data", Sha),
            ["vae_encoder"] = new("vae_encoder/model.onnx", Sha),
            ["vae_decoder"] = new("vae_decoder/model.onnx", Sha),
            ["vocab"] = new("tokenizer/vocab.json", Sha),
            ["merges"] = new("tokenizer/merges.txt", Sha),
            ["scheduler"] = new("scheduler/scheduler_config.json", Sha),
        };
        var manifest = new ModelManifest { Id = "sd", Kind = ModelKind.SdInpaint, Version = "1", Files = files };
        ModelManifestSerializer.Serialize(manifest);

        files["safety_checker"] = new("safety_checker/model.onnx", Sha);
        var error = Assert.Throws<ModelManifestException>(() => ModelManifestSerializer.Serialize(manifest));
        Assert.Contains("safety_checker", error.Message, StringComparison.Ordinal);

        files.Remove("safety_checker");
        var bad = manifest with { SdInpaint = new SdInpaintSettings { Size = 500 } };
        Assert.Contains("sdInpaint.size", Assert.Throws<ModelManifestException>(() => ModelManifestSerializer.Serialize(bad)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_field_is_rejected_with_its_name()
    {
        var error = Assert.Throws<ModelManifestException>(() => Parse(Sam(""", "encoderInptu": "hwc-255" """)));

        Assert.Contains("encoderInptu", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_required_field_is_rejected()
    {
        var error = Assert.Throws<ModelManifestException>(() => Parse("""{ "id": "x", "kind": "isnet", "files": {} }"""));

        Assert.Contains("version", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sam_without_a_decoder_names_the_missing_role()
    {
        var error = Assert.Throws<ModelManifestException>(() => Parse(Sam(files: $$"""
            "encoder": { "path": "encoder.onnx", "sha256": "{{Sha}}" }
            """)));

        Assert.Contains("'decoder'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelled_role_is_rejected()
    {
        var error = Assert.Throws<ModelManifestException>(() => Parse(Sam(files: $$"""
            "encoder": { "path": "encoder.onnx", "sha256": "{{Sha}}" },
            "decoder": { "path": "decoder.onnx", "sha256": "{{Sha}}" },
            "decodre": { "path": "d2.onnx", "sha256": "{{Sha}}" }
            """)));

        Assert.Contains("files.decodre", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../escape.onnx")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../b.onnx")]
    [InlineData("dir\\\\file.onnx")]
    public void File_paths_outside_the_model_folder_are_rejected(string path)
    {
        var error = Assert.Throws<ModelManifestException>(() => Parse(Sam(files: $$"""
            "encoder": { "path": "{{path}}", "sha256": "{{Sha}}" },
            "decoder": { "path": "decoder.onnx", "sha256": "{{Sha}}" }
            """)));

        Assert.Contains("files.encoder.path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_sha256_is_rejected()
    {
        var error = Assert.Throws<ModelManifestException>(() => Parse(Sam(files: $$"""
            "encoder": { "path": "encoder.onnx", "sha256": "ABC" },
            "decoder": { "path": "decoder.onnx", "sha256": "{{Sha}}" }
            """)));

        Assert.Contains("files.encoder.sha256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_of_another_kind_are_rejected()
    {
        var error = Assert.Throws<ModelManifestException>(() => Parse(Sam(""", "lama": { "size": 512 } """)));

        Assert.Contains("lama", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Upper")]
    [InlineData("-leading-dash")]
    [InlineData("has space")]
    [InlineData("")]
    public void Invalid_ids_are_rejected(string id)
    {
        Assert.Throws<ModelManifestException>(() => Parse($$"""
            { "id": "{{id}}", "kind": "isnet", "version": "1", "files": { "model": { "path": "m.onnx", "sha256": "{{Sha}}" } } }
            """));
    }

    [Fact]
    public void Lama_defaults_to_512_with_auto_output_range()
    {
        var manifest = Parse($$"""
            { "id": "lama", "kind": "lama", "version": "1", "lama": {}, "files": { "model": { "path": "lama.onnx", "sha256": "{{Sha}}" } } }
            """);

        Assert.Equal(512, manifest.Lama!.Size);
        Assert.Equal(LamaOutputRange.Auto, manifest.Lama.OutputRange);
    }
}
