using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Atelier.Runtime;

/// <summary>DI registration of the runtime and its grains.</summary>
public static class SiloServiceCollectionExtensions
{
    /// <summary>
    /// Adds a silo runtime: <see cref="SiloRuntime"/> (also as <see cref="IHostedService"/>, <see cref="IGrainFactory"/>
    /// and <see cref="IMessageHandler"/>), the built-in placement directors, <see cref="TimeProvider.System"/>, and
    /// in-memory membership and directory with a local-only transport unless other implementations are registered
    /// (register yours before or after: these use TryAdd).
    /// </summary>
    public static IServiceCollection AddAtelierSilo(this IServiceCollection services, Action<SiloRuntimeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<SiloRuntimeOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (services.Any(d => d.ServiceType == typeof(SiloRuntime)))
        {
            return services;
        }

        services.AddLogging();
        services.AddMetrics(); // IMeterFactory: each silo's instruments (see Diagnostics/RuntimeMetrics)
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IMembership, InMemoryMembership>();
        services.TryAddSingleton<IGrainDirectory, InMemoryGrainDirectory>();
        services.TryAddSingleton<IMessageTransport, LocalOnlyTransport>();
        services.TryAddSingleton<PreferLocalPlacementDirector>();
        services.TryAddSingleton<RandomPlacementDirector>();
        services.TryAddSingleton<ResourceAwarePlacementDirector>();
        services.AddSingleton<SiloRuntime>();
        services.AddSingleton(sp => sp.GetRequiredService<SiloRuntime>().GrainFactory);
        services.AddSingleton<IMessageHandler>(sp => sp.GetRequiredService<SiloRuntime>());
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<SiloRuntime>());
        return services;
    }

    /// <summary>Registers <typeparamref name="TGrain"/> as the implementation of <typeparamref name="TGrainInterface"/>.</summary>
    public static IServiceCollection AddGrain<TGrainInterface, TGrain>(this IServiceCollection services)
        where TGrainInterface : IGrain
        where TGrain : Grain, TGrainInterface
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(new GrainRegistration(typeof(TGrainInterface), typeof(TGrain)));
        return services;
    }

    /// <summary>Registers every non-abstract <see cref="Grain"/> class of <paramref name="assembly"/> for each grain
    /// interface it implements (interfaces deriving from <see cref="IGrain"/>, other than the marker interfaces).</summary>
    public static IServiceCollection AddGrainsFromAssembly(this IServiceCollection services, Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(assembly);
        foreach (var type in assembly.GetTypes())
        {
            if (!type.IsClass || type.IsAbstract || type.ContainsGenericParameters || !typeof(Grain).IsAssignableFrom(type))
            {
                continue;
            }

            foreach (var grainInterface in type.GetInterfaces())
            {
                if (typeof(IGrain).IsAssignableFrom(grainInterface) && grainInterface != typeof(IGrain)
                    && grainInterface != typeof(IGrainWithStringKey) && grainInterface != typeof(IPerSiloGrain))
                {
                    services.AddSingleton(new GrainRegistration(grainInterface, type));
                }
            }
        }

        return services;
    }

    /// <summary>Adds a filter that runs around every call executed by activations of this silo.</summary>
    public static IServiceCollection AddIncomingGrainCallFilter<TFilter>(this IServiceCollection services)
        where TFilter : class, IIncomingGrainCallFilter
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<IIncomingGrainCallFilter, TFilter>();
        return services;
    }

    /// <summary>Adds a filter that runs around every call made from this silo.</summary>
    public static IServiceCollection AddOutgoingGrainCallFilter<TFilter>(this IServiceCollection services)
        where TFilter : class, IOutgoingGrainCallFilter
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<IOutgoingGrainCallFilter, TFilter>();
        return services;
    }
}
