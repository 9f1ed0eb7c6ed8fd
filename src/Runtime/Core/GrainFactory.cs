using System.Reflection;

namespace Atelier.Runtime;

/// <summary>Creates <see cref="GrainProxy"/> references bound to one silo's runtime.</summary>
internal sealed class GrainFactory(SiloRuntime runtime) : IGrainFactory
{
    public TGrainInterface GetGrain<TGrainInterface>(string key) where TGrainInterface : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(key);
        var info = GrainInterfaceInfo.Get(typeof(TGrainInterface));
        return Create<TGrainInterface>(info, new GrainId(info.Name, key));
    }

    public TGrainInterface GetGrain<TGrainInterface>(GrainReference reference) where TGrainInterface : IGrain
    {
        ArgumentNullException.ThrowIfNull(reference);
        var info = GrainInterfaceInfo.Get(typeof(TGrainInterface));
        if (!string.Equals(info.Name, reference.InterfaceType, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The reference is for {reference.InterfaceType}, not {info.Name}.", nameof(reference));
        }

        return Create<TGrainInterface>(info, reference.GrainId);
    }

    public TGrainInterface GetSiloGrain<TGrainInterface>() where TGrainInterface : IPerSiloGrain =>
        GetSiloGrain<TGrainInterface>(runtime.Address);

    public TGrainInterface GetSiloGrain<TGrainInterface>(SiloAddress silo) where TGrainInterface : IPerSiloGrain
    {
        var info = GrainInterfaceInfo.Get(typeof(TGrainInterface));
        return Create<TGrainInterface>(info, new GrainId(info.Name, silo.ToString()));
    }

    private TGrainInterface Create<TGrainInterface>(GrainInterfaceInfo info, GrainId id)
    {
        var proxy = DispatchProxy.Create<TGrainInterface, GrainProxy>();
        ((GrainProxy)(object)proxy!).Initialize(runtime, info, id);
        return proxy;
    }
}
