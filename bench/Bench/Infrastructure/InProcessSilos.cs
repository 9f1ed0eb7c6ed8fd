using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Atelier.Bench.Infrastructure;

/// <summary>Orleans' in-process test cluster (in-memory transport between silos), for benchmarks of grain code without HTTP.</summary>
internal sealed class InProcessSilos : IAsyncDisposable
{
    private readonly InProcessTestCluster _cluster;

    private InProcessSilos(InProcessTestCluster cluster) => _cluster = cluster;

    public IReadOnlyList<BenchSilo> Silos => [.. _cluster.Silos.Select(s => new BenchSilo(s.ServiceProvider, s.SiloAddress))];

    public static async Task<InProcessSilos> StartAsync(int silos, Action<ISiloBuilder> configure, CancellationToken cancellationToken)
    {
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.Options.UseDistributedGrainDirectory = true; // as the product
        builder.ConfigureSilo((_, silo) => configure(silo));
        var cluster = builder.Build();
        await cluster.DeployAsync(cancellationToken).ConfigureAwait(false);
        return new InProcessSilos(cluster);
    }

    public async ValueTask DisposeAsync()
    {
        await _cluster.StopAllSilosAsync().ConfigureAwait(false);
        await _cluster.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>One silo: its services, and a grain factory whose calls leave from it.</summary>
internal sealed record BenchSilo(IServiceProvider Services, SiloAddress Address)
{
    public IGrainFactory GrainFactory => Services.GetRequiredService<IGrainFactory>();
}
