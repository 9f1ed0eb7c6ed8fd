using Atelier.Models.Adapters;
using Atelier.Models.Forge;
using Atelier.Models.Store;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Atelier.Models.Tests.Support;

/// <summary>
/// Generates the three demo models once into a temporary store (the way setup does) and loads them
/// through <see cref="ModelLoader"/>; the real <c>isnet</c> model is registered from the setup cache.
/// Shared by every test class of the <see cref="DemoModelsCollection"/> so that the expensive
/// loads and encoder runs happen once.
/// </summary>
public sealed class DemoModelsFixture : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "atelier-demo-models-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, Task<LoadedModel>> _loads = [];
    private readonly Dictionary<string, Task<object>> _results = [];
    private readonly Lock _gate = new();

    public FileSystemModelStore Store { get; private set; } = null!;

    public ModelLoader Loader { get; private set; } = null!;

    /// <summary>Folder holding each generated model as <c>&lt;id&gt;/</c>, before registration.</summary>
    public string ForgeFolder => Path.Combine(_root, "forge");

    public async Task InitializeAsync()
    {
        Store = new FileSystemModelStore(Options.Create(new ModelStoreOptions { RootPath = Path.Combine(_root, "store") }), NullLogger<FileSystemModelStore>.Instance);
        Loader = new ModelLoader(Store, Options.Create(new ModelLoaderOptions()), NullLogger<ModelLoader>.Instance);
        foreach (var id in DemoModelForge.Ids)
        {
            var folder = Path.Combine(ForgeFolder, id);
            await DemoModelForge.WriteAsync(id, folder, TestCache.IsnetModelPath, default);
            await Store.RegisterFolderAsync(folder, default);
        }

        var isnet = Path.Combine(_root, "isnet");
        Directory.CreateDirectory(isnet);
        File.Copy(Path.Combine(TestCache.Root, "models", "isnet", "model.json"), Path.Combine(isnet, "model.json"));
        File.Copy(TestCache.IsnetModelPath, Path.Combine(isnet, "model.onnx"));
        await Store.RegisterFolderAsync(isnet, default);
    }

    /// <summary>The loaded model <paramref name="id"/> (loaded once, shared).</summary>
    public async Task<T> GetAsync<T>(string id)
        where T : LoadedModel
    {
        Task<LoadedModel> load;
        lock (_gate)
        {
            if (!_loads.TryGetValue(id, out load!))
            {
                load = Loader.LoadAsync(id, default);
                _loads[id] = load;
            }
        }

        return (T)await load;
    }

    /// <summary>Computes an expensive result (an encoder run on a photo) once and shares it across tests.</summary>
    public async Task<T> ShareAsync<T>(string key, Func<Task<T>> compute)
        where T : class
    {
        Task<object> result;
        lock (_gate)
        {
            if (!_results.TryGetValue(key, out result!))
            {
                result = Compute(compute);
                _results[key] = result;
            }
        }

        return (T)await result;

        static async Task<object> Compute(Func<Task<T>> compute) => await compute();
    }

    public async Task DisposeAsync()
    {
        foreach (var load in _loads.Values)
        {
            (await load).Dispose();
        }

        foreach (var result in _results.Values)
        {
            (await result as IDisposable)?.Dispose();
        }

        Store.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class DemoModelsCollection : ICollectionFixture<DemoModelsFixture>
{
    public const string Name = "demo models";
}
