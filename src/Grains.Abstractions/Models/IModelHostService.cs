using Orleans.Concurrency;
using Orleans.Services;

namespace Atelier.Grains;

/// <summary>
/// Model management on one specific silo: which models are resident on its device, loading and unloading on
/// request, and the silo's device figures. An Orleans grain service (one per silo, started with it); address silo X's
/// through <c>ModelHostServiceClient.ForSilo(x)</c>.
/// </summary>
[Alias("atelier.model-host-service")]
public interface IModelHostService : IGrainService
{
    /// <summary>Residency and counters of every model this silo has seen (loaded or not).</summary>
    [ReadOnly, Alias("residency")]
    Task<IReadOnlyList<ModelResidency>> GetResidency();

    /// <summary>Loads a registered model onto this silo's device (evicting others by LRU if needed).</summary>
    [Alias("load")]
    Task<ModelResidency> Load(string modelId);

    /// <summary>Unloads a model from this silo's device; false when it was not loaded. Waits for running calls.</summary>
    [Alias("unload")]
    Task<bool> Unload(string modelId);

    /// <summary>Device memory, session and queue figures of this silo (for <c>GET /v1/cluster</c> and placement).</summary>
    [ReadOnly, Alias("stats")]
    Task<SiloStats> GetStats();
}
