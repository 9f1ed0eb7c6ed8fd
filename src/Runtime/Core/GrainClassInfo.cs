using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Runtime;

/// <summary>A registered grain class: how to construct it and its per-type policies.</summary>
internal sealed class GrainClassInfo
{
    public GrainClassInfo(GrainInterfaceInfo grainInterface, Type implementationType, SiloRuntimeOptions options)
    {
        if (implementationType.IsAbstract || !typeof(Grain).IsAssignableFrom(implementationType)
            || !grainInterface.InterfaceType.IsAssignableFrom(implementationType))
        {
            throw new ArgumentException(
                $"{implementationType} must be a non-abstract Grain implementing {grainInterface.InterfaceType}.", nameof(implementationType));
        }

        Interface = grainInterface;
        ImplementationType = implementationType;
        var objectFactory = ActivatorUtilities.CreateFactory(implementationType, Type.EmptyTypes);
        Factory = services => (Grain)objectFactory(services, null);
        var age = implementationType.GetCustomAttribute<CollectionAgeLimitAttribute>(inherit: true);
        AlwaysActive = age?.AlwaysActive ?? false;
        CollectionAge = age?.Age ?? options.CollectionAge;
        DirectorType = implementationType.GetCustomAttribute<PlacementAttribute>(inherit: true)?.DirectorType ?? options.DefaultPlacement;
    }

    public GrainInterfaceInfo Interface { get; }

    public Type ImplementationType { get; }

    public Func<IServiceProvider, Grain> Factory { get; }

    public TimeSpan CollectionAge { get; }

    public bool AlwaysActive { get; }

    public Type DirectorType { get; }
}
