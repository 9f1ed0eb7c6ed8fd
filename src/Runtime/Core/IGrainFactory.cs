namespace Atelier.Runtime;

/// <summary>Creates grain references (proxies). Calls through them are location transparent.</summary>
public interface IGrainFactory
{
    /// <summary>A proxy for the grain <typeparamref name="TGrainInterface"/> with the given key.</summary>
    TGrainInterface GetGrain<TGrainInterface>(string key) where TGrainInterface : IGrainWithStringKey;

    /// <summary>A proxy for the grain a serialized <see cref="GrainReference"/> names.</summary>
    TGrainInterface GetGrain<TGrainInterface>(GrainReference reference) where TGrainInterface : IGrain;

    /// <summary>The per-silo grain on this silo.</summary>
    TGrainInterface GetSiloGrain<TGrainInterface>() where TGrainInterface : IPerSiloGrain;

    /// <summary>The per-silo grain on <paramref name="silo"/> ("the model grain on silo X").</summary>
    TGrainInterface GetSiloGrain<TGrainInterface>(SiloAddress silo) where TGrainInterface : IPerSiloGrain;
}
