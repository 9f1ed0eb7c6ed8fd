using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Atelier.Silo.Tests;

/// <summary>The host's shutdown deadline (which bounds Orleans' stop, and so the drain of sessions) is <c>Silo:ShutdownTimeoutSeconds</c>.</summary>
public sealed class ShutdownTimeoutTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Theory]
    [InlineData(null, 30)]   // the default
    [InlineData("120", 120)] // a longer drain for silos holding many sessions
    public void Host_shutdown_timeout_is_the_configured_drain_deadline(string? siloSeconds, int expectedSeconds)
    {
        using var configured = factory.WithWebHostBuilder(b =>
        {
            if (siloSeconds is not null)
            {
                b.UseSetting("Silo:ShutdownTimeoutSeconds", siloSeconds);
            }
        });

        var host = configured.Services.GetRequiredService<IOptions<HostOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), host.ShutdownTimeout);
    }
}
