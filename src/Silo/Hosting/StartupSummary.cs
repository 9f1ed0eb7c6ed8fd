using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Atelier.Silo.Hosting;

/// <summary>Logs one configuration summary line once the server listens (never secrets).</summary>
internal sealed partial class StartupSummary(
    IServer server,
    IHostApplicationLifetime lifetime,
    IOptions<SiloOptions> options,
    IHostEnvironment environment,
    ILogger<StartupSummary> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses;
            var silo = options.Value;
            LogStarted(logger, silo.Name, addresses is null ? "(none)" : string.Join(", ", addresses),
                silo.Mode, silo.Device, environment.EnvironmentName);
        });
        lifetime.ApplicationStopping.Register(() => LogStopping(logger, options.Value.Name));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Silo {Silo} listening on {Addresses}; mode={Mode} device={Device} environment={Environment}")]
    private static partial void LogStarted(ILogger logger, string silo, string addresses, string mode, string device, string environment);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Silo {Silo} stopping: finishing in-flight requests")]
    private static partial void LogStopping(ILogger logger, string silo);
}
