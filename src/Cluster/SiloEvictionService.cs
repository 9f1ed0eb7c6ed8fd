using Atelier.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Atelier.Cluster;

/// <summary>
/// Stops a silo that the cluster declared dead: the runtime stops serving at once (<see cref="SiloRuntime.Kill"/>:
/// it must not keep answering for grains whose entries others now take over) and the host is asked to exit.
/// </summary>
public sealed partial class SiloEvictionService(
    RedisMembership membership, SiloRuntime runtime, IHostApplicationLifetime lifetime, ILogger<SiloEvictionService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        membership.DeclaredDead += OnDeclaredDead;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        membership.DeclaredDead -= OnDeclaredDead;
        return Task.CompletedTask;
    }

    private void OnDeclaredDead(object? sender, EventArgs e)
    {
        LogEvicted(logger, runtime.Address);
        runtime.Kill();
        lifetime.StopApplication();
    }

    [LoggerMessage(EventId = 910, Level = LogLevel.Critical, Message = "Silo {Silo} was declared dead: stopped serving, exiting.")]
    private static partial void LogEvicted(ILogger logger, SiloAddress silo);
}
