using Atelier.Grains.Models;
using Atelier.Grains.Sessions;
using Atelier.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Cluster;

/// <summary>
/// Adds the silo's device and host memory (used and budget, from the model host's memory manager), its open sessions
/// and its resident models to
/// the load it publishes, so resource-aware placement can prefer silos where a session's model is already loaded and
/// that have free device memory. In a process without a model host (a runtime-only silo) the load passes unchanged.
/// </summary>
internal sealed class DeviceLoadSource(IServiceProvider services) : ISiloLoadSource
{
    private readonly Lazy<ModelHost?> _host = new(services.GetService<ModelHost>);
    private readonly Lazy<SessionRegistry?> _sessions = new(services.GetService<SessionRegistry>);

    /// <inheritdoc />
    public SiloLoad Enrich(SiloLoad runtimeLoad)
    {
        ArgumentNullException.ThrowIfNull(runtimeLoad);
        if (_host.Value is not { } host)
        {
            return runtimeLoad;
        }

        return runtimeLoad with
        {
            DeviceBytesUsed = host.Memory.DeviceBytesUsed,
            DeviceBytesBudget = host.Memory.DeviceBudgetBytes,
            HostBytesUsed = host.Memory.HostBytesUsed,
            HostBytesBudget = host.Memory.HostBudgetBytes,
            Sessions = _sessions.Value?.Active ?? 0,
            ResidentModels = host.ResidentModels(),
        };
    }
}
