using Atelier.Grains.Hosting;
using Atelier.Grains.Placement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Hosting;
using Orleans.Runtime.Placement;
using Orleans.TestingHost;

namespace Atelier.Grains.Tests.Support;

/// <summary>
/// Orleans' in-process test cluster running the product's grains and silo services (<c>AddAtelierGrains</c>) with the
/// product's distributed grain directory; each silo gets its own settings. With <c>placeOnCallingSilo</c> a new session is
/// placed on the silo whose grain factory opens it (a test director replaces the product's, so placement is deterministic).
/// </summary>
public sealed class GrainCluster : IAsyncDisposable
{
    private readonly InProcessTestCluster _cluster;

    private GrainCluster(InProcessTestCluster cluster) => _cluster = cluster;

    /// <summary>The running silos in the order of their number (silo <c>i</c> got <c>settings(i)</c>).</summary>
    public IReadOnlyList<GrainSilo> Silos => [.. _cluster.Silos.OrderBy(s => Number(s.Name)).Select(s => new GrainSilo(s))];

    public static async Task<GrainCluster> StartAsync(
        int silos,
        Func<int, IDictionary<string, string?>> settings,
        Action<IServiceCollection>? services = null,
        bool placeOnCallingSilo = false)
    {
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.Options.UseDistributedGrainDirectory = true;
        builder.ConfigureSilo((options, silo) =>
        {
            // Silos start concurrently: the number comes from the silo's name (Silo_0, Silo_1, …), not the start order.
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings(Number(options.SiloName))).Build();
            silo.AddAtelierGrains(configuration);
            services?.Invoke(silo.Services);
            if (placeOnCallingSilo)
            {
                silo.Services.AddPlacementDirector<SessionPlacementStrategy, CallingSiloDirector>();
            }
        });
        // ATELIER_TEST_LOGS=Debug (or another level) writes the silos' logs to the console, for investigating a failure.
        if (Environment.GetEnvironmentVariable("ATELIER_TEST_LOGS") is { Length: > 0 } level)
        {
            builder.ConfigureSiloHost((_, host) => host.Logging.AddSimpleConsole().SetMinimumLevel(Enum.Parse<Microsoft.Extensions.Logging.LogLevel>(level)));
        }

        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new GrainCluster(cluster);
    }

    private static int Number(string siloName) =>
        int.Parse(siloName.AsSpan(siloName.LastIndexOf('_') + 1), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Orleans live migration of <paramref name="grain"/> to <paramref name="target"/>.</summary>
    public Task MigrateAsync(IAddressable grain, GrainSilo target) => _cluster.MigrateAsync(grain, target.Address);

    /// <summary>A new silo joins the cluster (the product's services, the first silo's settings).</summary>
    public Task StartAdditionalSiloAsync() => _cluster.StartAdditionalSiloAsync();

    /// <summary>A graceful stop: sessions drain (migrate) to the other silos.</summary>
    public Task StopSiloAsync(GrainSilo silo) => _cluster.StopSiloAsync(silo.Handle);

    /// <summary>A stop with a cancelled token: no drain, the silo's activations are simply gone.</summary>
    public Task KillSiloAsync(GrainSilo silo) => _cluster.KillSiloAsync(silo.Handle);

    public async ValueTask DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }

    /// <summary>
    /// Places every new activation on the silo that makes the call, unless a placement hint (a migration's target) says
    /// otherwise; a stopping silo (the drain) places on another one.
    /// </summary>
    private sealed class CallingSiloDirector : IPlacementDirector
    {
        public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
        {
            var silos = context.GetCompatibleSilos(target);
            return Task.FromResult(IPlacementDirector.GetPlacementHint(target.RequestContextData, silos)
                ?? (context.LocalSiloStatus == SiloStatus.Active ? context.LocalSilo : silos.First(s => !s.Equals(context.LocalSilo))));
        }
    }
}

/// <summary>One silo of a <see cref="GrainCluster"/>.</summary>
public sealed record GrainSilo(InProcessSiloHandle Handle)
{
    public IServiceProvider Services => Handle.ServiceProvider;

    public SiloAddress Address => Handle.SiloAddress;

    /// <summary>The name the silo reports in session info and results.</summary>
    public string Name => Services.GetRequiredService<SiloIdentity>().Name;

    /// <summary>Calls made through this factory leave from this silo.</summary>
    public IGrainFactory GrainFactory => Services.GetRequiredService<IGrainFactory>();
}
