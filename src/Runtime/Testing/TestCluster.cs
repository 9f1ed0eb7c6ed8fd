using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Runtime.Testing;

/// <summary>
/// N silos in one process, the counterpart of Orleans' TestingHost: each silo has its own service provider; they
/// share in-memory membership and directory and talk through an <see cref="InProcessTransport"/> that serializes
/// every call. Multi-silo behaviour (placement, single activation, migration, remote calls) is testable without Redis.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly Action<IServiceCollection> _configureServices;
    private readonly Action<SiloRuntimeOptions>? _configureOptions;
    private readonly List<TestSilo> _silos = [];
    private int _nextIndex;

    private TestCluster(Action<IServiceCollection> configureServices, Action<SiloRuntimeOptions>? configureOptions)
    {
        _configureServices = configureServices;
        _configureOptions = configureOptions;
    }

    /// <summary>Shared membership.</summary>
    public InMemoryMembership Membership { get; } = new();

    /// <summary>Shared directory.</summary>
    public InMemoryGrainDirectory Directory { get; } = new();

    /// <summary>The in-process transport.</summary>
    public InProcessTransport Transport { get; } = new();

    /// <summary>Running silos, in start order.</summary>
    public IReadOnlyList<TestSilo> Silos
    {
        get
        {
            lock (_silos)
            {
                return [.. _silos];
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="siloCount"/> silos named <c>silo-0</c>, <c>silo-1</c>, ... .
    /// <paramref name="configureServices"/> registers grains and their dependencies (it runs once per silo).
    /// </summary>
    public static async Task<TestCluster> StartAsync(
        int siloCount,
        Action<IServiceCollection> configureServices,
        Action<SiloRuntimeOptions>? configureOptions = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(siloCount, 1);
        ArgumentNullException.ThrowIfNull(configureServices);
        var cluster = new TestCluster(configureServices, configureOptions);
        for (var i = 0; i < siloCount; i++)
        {
            await cluster.StartSiloAsync(cancellationToken).ConfigureAwait(false);
        }

        return cluster;
    }

    /// <summary>Starts one more silo.</summary>
    public async Task<TestSilo> StartSiloAsync(CancellationToken cancellationToken = default)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IMembership>(Membership);
        services.AddSingleton<IGrainDirectory>(Directory);
        services.AddSingleton<IMessageTransport>(Transport);
        _configureServices(services);
        var name = $"silo-{Interlocked.Increment(ref _nextIndex) - 1}";
        services.AddAtelierSilo(o =>
        {
            _configureOptions?.Invoke(o);
            o.Endpoint = name;
        });
        var silo = new TestSilo(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
        Transport.Register(silo.Address, silo.Runtime);
        await silo.Runtime.StartAsync(cancellationToken).ConfigureAwait(false);
        lock (_silos)
        {
            _silos.Add(silo);
        }

        return silo;
    }

    /// <summary>Stops a silo gracefully (deactivations run) and disposes its services.</summary>
    public async Task StopSiloAsync(TestSilo silo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(silo);
        await silo.Runtime.StopAsync(cancellationToken).ConfigureAwait(false);
        Transport.Unregister(silo.Address);
        lock (_silos)
        {
            _silos.Remove(silo);
        }

        await silo.Provider.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Kills a silo without any graceful step (its activations vanish, its directory entries stay) and declares it
    /// dead in membership, as failure detection would: its grains reactivate elsewhere on their next call.
    /// </summary>
    public async Task KillSiloAsync(TestSilo silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        Transport.Unregister(silo.Address);
        silo.Runtime.Kill();
        await Membership.SetStatusAsync(silo.Address, SiloStatus.Dead, CancellationToken.None).ConfigureAwait(false);
        lock (_silos)
        {
            _silos.Remove(silo);
        }

        await silo.Provider.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Stops every silo.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var silo in Silos)
        {
            await StopSiloAsync(silo).ConfigureAwait(false);
        }
    }
}
