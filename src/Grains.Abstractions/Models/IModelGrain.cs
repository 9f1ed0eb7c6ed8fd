using Atelier.Runtime;

namespace Atelier.Grains;

/// <summary>
/// Model management on one silo (one activation per silo): which models are resident on its device,
/// loading and unloading on request, and the silo's memory/queue figures. Address the local one with
/// <c>factory.GetSiloGrain&lt;IModelGrain&gt;()</c> and silo X's with <c>GetSiloGrain&lt;IModelGrain&gt;(x)</c>.
/// </summary>
public interface IModelGrain : IPerSiloGrain
{
    /// <summary>Residency and counters of every model this silo has seen (loaded or not).</summary>
    [ReadOnly]
    Task<IReadOnlyList<ModelResidency>> GetResidency(CancellationToken cancellationToken);

    /// <summary>Loads a registered model onto this silo's device (evicting others by LRU if needed).</summary>
    Task<ModelResidency> Load(string modelId, CancellationToken cancellationToken);

    /// <summary>Unloads a model from this silo's device; false when it was not loaded. Waits for running calls.</summary>
    Task<bool> Unload(string modelId, CancellationToken cancellationToken);

    /// <summary>Memory, session and queue figures of this silo (for <c>GET /v1/cluster</c> and placement).</summary>
    [ReadOnly]
    Task<SiloStats> GetStats(CancellationToken cancellationToken);
}
