using Atelier.Runtime.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Runtime.Tests;

internal static class Clusters
{
    /// <summary>A test cluster whose silos share <paramref name="probe"/> and host every test grain.</summary>
    public static Task<TestCluster> StartAsync(
        int silos,
        Probe probe,
        Action<IServiceCollection>? services = null,
        Action<SiloRuntimeOptions>? options = null) =>
        TestCluster.StartAsync(
            silos,
            s =>
            {
                s.AddSingleton(probe);
                s.AddGrainsFromAssembly(typeof(Probe).Assembly);
                services?.Invoke(s);
            },
            options);
}
