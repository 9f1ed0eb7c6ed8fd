using System.Collections.Concurrent;
using System.Reflection;

namespace Atelier.Runtime;

/// <summary>A grain interface's methods in wire order (sorted by signature), built once per interface type.</summary>
internal sealed class GrainInterfaceInfo
{
    private static readonly ConcurrentDictionary<Type, GrainInterfaceInfo> Cache = new();
    private readonly Dictionary<MethodInfo, GrainMethod> _byMethod;

    private GrainInterfaceInfo(Type interfaceType)
    {
        if (!interfaceType.IsInterface || !typeof(IGrain).IsAssignableFrom(interfaceType))
        {
            throw new ArgumentException($"{interfaceType} is not a grain interface (an interface deriving from IGrain).", nameof(interfaceType));
        }

        InterfaceType = interfaceType;
        Name = interfaceType.FullName ?? interfaceType.Name;
        IsPerSilo = typeof(IPerSiloGrain).IsAssignableFrom(interfaceType);
        var methods = interfaceType.GetInterfaces().Append(interfaceType)
            .SelectMany(i => i.GetMethods())
            .OrderBy(GrainMethod.Signature, StringComparer.Ordinal)
            .ToArray();
        Methods = methods.Select((m, i) => GrainMethod.Create(interfaceType, m, i)).ToArray();
        _byMethod = Methods.ToDictionary(m => m.Method);
    }

    public Type InterfaceType { get; }

    /// <summary>The grain type in <see cref="GrainId.Type"/>: the interface's full name.</summary>
    public string Name { get; }

    /// <summary>The interface name without its namespace (metric label, span name).</summary>
    public string ShortName => InterfaceType.Name;

    public bool IsPerSilo { get; }

    public GrainMethod[] Methods { get; }

    public static GrainInterfaceInfo Get(Type interfaceType) => Cache.GetOrAdd(interfaceType, static t => new GrainInterfaceInfo(t));

    public GrainMethod GetMethod(MethodInfo method) =>
        _byMethod.TryGetValue(method, out var grainMethod)
            ? grainMethod
            : throw new InvalidOperationException($"{method.Name} is not a method of grain interface {Name}.");
}
