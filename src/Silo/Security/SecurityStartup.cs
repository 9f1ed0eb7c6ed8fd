using Microsoft.Extensions.Options;

namespace Atelier.Silo.Security;

/// <summary>Says at start whether the API is protected: a warning in open development mode, the key count otherwise (never keys).</summary>
internal sealed partial class SecurityStartup(IOptions<SecurityOptions> options, ILogger<SecurityStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var security = options.Value;
        if (security.IsOpen)
        {
            LogOpen(logger, security.DevelopmentTenant);
        }
        else
        {
            LogKeys(logger, security.ApiKeys.Count, security.AdminKeys.Count);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning,
        Message = "No API keys configured: the API is OPEN (development mode); every request acts as tenant {Tenant} with admin rights. Configure Security:ApiKeys / Security:AdminKeys in production.")]
    private static partial void LogOpen(ILogger logger, string tenant);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "API keys configured: {TenantKeys} tenant key(s), {AdminKeys} admin key(s)")]
    private static partial void LogKeys(ILogger logger, int tenantKeys, int adminKeys);
}
