using Atelier.Grains.Hosting;
using Atelier.Grains.Sessions;
using Atelier.Runtime;

namespace Atelier.Grains.Models;

/// <summary>
/// The per-silo model management grain: the remote face of this silo's <see cref="ModelHost"/>
/// (residency, load/unload on request, load figures for the cluster view).
/// </summary>
[CollectionAgeLimit(AlwaysActive = true)]
internal sealed class ModelGrain(ModelHost host, SessionRegistry sessions, SiloIdentity silo) : Grain, IModelGrain
{
    public Task<IReadOnlyList<ModelResidency>> GetResidency(CancellationToken cancellationToken) =>
        Task.FromResult(host.Residency(silo.Name));

    public Task<ModelResidency> Load(string modelId, CancellationToken cancellationToken) =>
        host.LoadAsync(modelId, silo.Name, cancellationToken);

    public Task<bool> Unload(string modelId, CancellationToken cancellationToken) =>
        Task.FromResult(host.Unload(modelId));

    public Task<SiloStats> GetStats(CancellationToken cancellationToken)
    {
        var memory = host.Memory;
        return Task.FromResult(new SiloStats(
            silo.Name,
            sessions.Active,
            memory.DeviceBytesUsed,
            memory.DeviceBudgetBytes,
            memory.HostBytesUsed,
            memory.HostBudgetBytes,
            host.ResidentModels(),
            host.QueueLength));
    }
}
