using Atelier.Grains.Hosting;
using Atelier.Grains.Models;
using Atelier.Models.Forge;
using Atelier.Models.Store;
using Atelier.Runtime;
using Atelier.Runtime.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Grains.Tests.Sessions;

/// <summary>
/// A model store with the generated demo models (sam-demo, lama-demo) and the real ISNet model from the
/// setup cache, shared by the grain tests; clusters are started per test with their own budgets.
/// </summary>
public sealed class GrainsFixture : IAsyncLifetime
{
    public string ModelRoot { get; } = Path.Combine(Path.GetTempPath(), "atelier-grains-models-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(ModelRoot);
        await DemoModelForge.WriteAsync(DemoModelForge.SamDemoId, Path.Combine(ModelRoot, "sam-demo"), null, default);
        await DemoModelForge.WriteAsync(DemoModelForge.LamaDemoId, Path.Combine(ModelRoot, "lama-demo"), null, default);
        var cache = AtelierCache.FindRoot() ?? throw new InvalidOperationException("The setup cache (.atelier) is missing: run ./build.sh test, which runs setup.");
        var isnet = Path.Combine(cache, "models", "isnet");
        var target = Directory.CreateDirectory(Path.Combine(ModelRoot, "isnet")).FullName;
        File.Copy(Path.Combine(isnet, "model.json"), Path.Combine(target, "model.json"));
        File.CreateSymbolicLink(Path.Combine(target, "model.onnx"), Path.Combine(isnet, "model.onnx"));
    }

    public Task DisposeAsync()
    {
        Directory.Delete(ModelRoot, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Starts a cluster of <paramref name="silos"/> silos running the product's grains with the given settings.</summary>
    public Task<TestCluster> StartClusterAsync(int silos = 1, IDictionary<string, string?>? settings = null, Action<SiloRuntimeOptions>? runtime = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Models:Store:RootPath"] = ModelRoot,
            ["Sessions:Cache:TtlCheckPeriod"] = "00:00:00.100",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return TestCluster.StartAsync(silos, services => services.AddLogging().AddAtelierGrains(configuration), runtime);
    }

    public static ModelHost Host(TestSilo silo) => silo.Services.GetRequiredService<ModelHost>();

    public static ISessionGrain Session(TestSilo silo, string? id = null) =>
        silo.GrainFactory.GetGrain<ISessionGrain>(id ?? Guid.NewGuid().ToString("N"));
}
