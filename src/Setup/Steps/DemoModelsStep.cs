using System.Diagnostics;
using Atelier.Models.Forge;
using Atelier.Models.Manifest;
using Atelier.Models.Store;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Atelier.Setup.Steps;

/// <summary>
/// Generates the demo models (<c>sam-demo</c>, <c>sam-isnet</c>, <c>lama-demo</c>; see
/// <see cref="DemoModelForge"/>) into the model store. A model is generated again only when it is
/// missing, its files no longer match its manifest, or its version differs from what the forge would
/// write now (the forge version, and for <c>sam-isnet</c> the ISNet model it is composed from).
/// Runs after <see cref="RegisterModelsStep"/>, which registers the ISNet model <c>sam-isnet</c> needs.
/// </summary>
internal sealed class DemoModelsStep : ISetupStep
{
    public string Name => "demo-models";

    public async Task RunAsync(SetupContext context, CancellationToken cancellationToken)
    {
        using var store = new FileSystemModelStore(
            Options.Create(new ModelStoreOptions { RootPath = context.ModelsDirectory }), NullLogger<FileSystemModelStore>.Instance);
        var isnet = await store.GetAsync("isnet", cancellationToken).ConfigureAwait(false)
            ?? throw new SetupException("the 'isnet' model is not registered; sam-isnet is composed from it.");
        var isnetFile = isnet.Manifest.Files["model"];
        foreach (var id in DemoModelForge.Ids)
        {
            var version = DemoModelForge.VersionOf(id, isnetFile.Sha256);
            if (await IsCurrentAsync(store, id, version, cancellationToken).ConfigureAwait(false))
            {
                context.Report(Name, $"ok (generated, verified): {id} {version}");
                continue;
            }

            var started = Stopwatch.GetTimestamp();
            var folder = Path.Combine(context.CacheRoot, "tmp", "forge-" + id);
            try
            {
                await DemoModelForge.WriteAsync(id, folder, isnet.PathOf("model"), cancellationToken).ConfigureAwait(false);
                await store.RegisterFolderAsync(folder, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }

            context.Report(Name, $"generated {id} {version} in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
        }
    }

    private static async Task<bool> IsCurrentAsync(FileSystemModelStore store, string id, string version, CancellationToken cancellationToken)
    {
        try
        {
            var entry = await store.GetAsync(id, cancellationToken).ConfigureAwait(false);
            if (entry is null || !entry.Manifest.Demo || entry.Manifest.Version != version)
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
