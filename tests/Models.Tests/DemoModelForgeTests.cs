using Atelier.Models.Forge;
using Atelier.Models.Manifest;
using Atelier.Models.Tests.Support;

namespace Atelier.Models.Tests;

/// <summary>The demo models are generated deterministically and say plainly that they are demos.</summary>
[Collection(DemoModelsCollection.Name)]
public sealed class DemoModelForgeTests(DemoModelsFixture models) : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "atelier-forge-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Generating_again_gives_byte_identical_models()
    {
        foreach (var id in DemoModelForge.Ids)
        {
            var manifest = await DemoModelForge.WriteAsync(id, Path.Combine(_root, id), TestCache.IsnetModelPath, default);

            var first = await File.ReadAllBytesAsync(Path.Combine(models.ForgeFolder, id, ModelManifest.FileName));
            Assert.Equal(first, await File.ReadAllBytesAsync(Path.Combine(_root, id, ModelManifest.FileName)));
            foreach (var file in manifest.Files.Values)
            {
                Assert.Equal(
                    await File.ReadAllBytesAsync(Path.Combine(models.ForgeFolder, id, file.Path)),
                    await File.ReadAllBytesAsync(Path.Combine(_root, id, file.Path)));
            }
        }
    }

    [Theory]
    [InlineData(DemoModelForge.SamDemoId, ModelKind.Sam, "not SAM")]
    [InlineData(DemoModelForge.SamIsnetId, ModelKind.Sam, "not SAM")]
    [InlineData(DemoModelForge.LamaDemoId, ModelKind.Lama, "not LaMa")]
    [InlineData(DemoModelForge.SdInpaintDemoId, ModelKind.SdInpaint, "not Stable Diffusion")]
    public async Task Registered_demo_manifests_say_they_are_demo_models(string id, ModelKind kind, string disclaimer)
    {
        var entry = await models.Store.GetAsync(id, default);

        Assert.NotNull(entry);
        Assert.True(entry.Manifest.Demo);
        Assert.Equal(kind, entry.Manifest.Kind);
        Assert.Contains(disclaimer, entry.Manifest.Description, StringComparison.Ordinal);
        Assert.StartsWith("forge-" + DemoModelForge.ForgeVersion, entry.Manifest.Version, StringComparison.Ordinal);
        await models.Store.VerifyAsync(entry, default);
    }

    [Fact]
    public void Sam_isnet_version_names_the_isnet_model_it_was_composed_from()
    {
        var sha = new string('a', 64);

        Assert.Equal($"forge-{DemoModelForge.ForgeVersion}-isnet.aaaaaaaaaaaaaaaa", DemoModelForge.VersionOf(DemoModelForge.SamIsnetId, sha));
        Assert.Throws<ArgumentException>(() => DemoModelForge.VersionOf("sam", null));
    }
}
