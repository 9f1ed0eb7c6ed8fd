using Orleans.Concurrency;

using Atelier.Grains.Hosting;
using Atelier.Grains.Sessions;
using Microsoft.Extensions.Logging;

namespace Atelier.Grains.Models;

/// <summary>
/// The remote face of one silo's <see cref="ModelHost"/> (residency, load/unload on request, device figures): an Orleans
/// grain service, so exactly one runs per silo and another silo can address this one by its address
/// (<see cref="ModelHostServiceClient.ForSilo"/>).
/// </summary>
[Reentrant] // every method is a thread-safe read or a ModelHost call (which serializes its own loads)
internal sealed class ModelHostService(
    GrainId grainId,
    Silo silo,
    ILoggerFactory loggerFactory,
    ModelHost host,
    SessionRegistry sessions,
    SiloIdentity identity) : GrainService(grainId, silo, loggerFactory), IModelHostService
{
    public Task<IReadOnlyList<ModelResidency>> GetResidency() => Task.FromResult(host.Residency(identity.Name));

    public Task<ModelResidency> Load(string modelId) => host.LoadAsync(modelId, identity.Name, CancellationToken.None);

    public Task<bool> Unload(string modelId) => Task.FromResult(host.Unload(modelId));

    public Task<SiloStats> GetStats() => Task.FromResult(Stats(host, sessions, identity));

    /// <summary>When this silo's model host service started (for the cluster view).</summary>
    internal static DateTimeOffset StartedAt { get; } = System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime();

    /// <summary>This silo's figures, read from its model host and session registry.</summary>
    internal static SiloStats Stats(ModelHost host, SessionRegistry sessions, SiloIdentity identity)
    {
        var memory = host.Memory;
        return new SiloStats(
            identity.Name,
            sessions.Active,
            memory.DeviceBytesUsed,
            memory.DeviceBudgetBytes,
            memory.HostBytesUsed,
            memory.HostBudgetBytes,
            host.ResidentModels(),
            host.QueueLength) { StartedAt = StartedAt };
    }
}
