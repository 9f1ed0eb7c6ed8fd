using Atelier.Grains.Hosting;
using Atelier.Grains.Models;
using Atelier.Models.Forge;
using Atelier.Grains.Tests.Support;
using Atelier.Models.Store;
using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Grains.Tests.Sessions;

/// <summary>
/// A model store with the generated demo models (sam-demo, sam-demo-batch, lama-demo) and the real ISNet model from the
/// setup cache, shared by the grain tests; clusters are started per test with their own budgets.
/// </summary>
public sealed class GrainsFixture : IAsyncLifetime
{
    public string ModelRoot { get; } = Path.Combine(Path.GetTempPath(), "atelier-grains-models-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(ModelRoot);
        await DemoModelForge.WriteAsync(DemoModelForge.SamDemoId, Path.Combine(ModelRoot, "sam-demo"), null, default);
        await DemoModelForge.WriteAsync(DemoModelForge.SamDemoBatchId, Path.Combine(ModelRoot, "sam-demo-batch"), null, default);
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
    public Task<GrainCluster> StartClusterAsync(
        int silos = 1, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, bool placeOnCallingSilo = false) =>
        StartClusterAsync(silos, _ => settings ?? new Dictionary<string, string?>(), services, placeOnCallingSilo);

    /// <summary>Starts a cluster whose silo number <c>i</c> gets <c>settings(i)</c> on top of the fixture's model store.</summary>
    public Task<GrainCluster> StartClusterAsync(
        int silos, Func<int, IDictionary<string, string?>> settings, Action<IServiceCollection>? services = null, bool placeOnCallingSilo = false) =>
        GrainCluster.StartAsync(silos, i =>
        {
            var values = new Dictionary<string, string?>
            {
                ["Models:Store:RootPath"] = ModelRoot,
                ["Sessions:Cache:TtlCheckPeriod"] = "00:00:00.100",
                ["Sessions:DefaultModel"] = "sam-demo", // the colour wand suits the generated pictures (the silo's default is sam-isnet)
            };
            foreach (var (key, value) in settings(i))
            {
                values[key] = value;
            }

            return values;
        }, services, placeOnCallingSilo);

    public static ModelHost Host(GrainSilo silo) => silo.Services.GetRequiredService<ModelHost>();

    public static ISessionGrain Session(GrainSilo silo, string? id = null) =>
        silo.GrainFactory.GetGrain<ISessionGrain>(id ?? Guid.NewGuid().ToString("N"));
}
