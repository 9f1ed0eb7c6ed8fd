using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Atelier.Silo.Tests;

/// <summary>The host's shutdown deadline always leaves room for the runtime's drain and deactivation.</summary>
public sealed class ShutdownTimeoutTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Theory]
    [InlineData(null, null, 35)]          // defaults: Runtime:ShutdownTimeout 30 s + 5 s margin beats Silo:ShutdownTimeoutSeconds 30
    [InlineData("00:01:00", null, 65)]    // a longer runtime stop raises the host's deadline
    [InlineData("00:00:10", "120", 120)]  // a longer configured host deadline is kept
    public void Host_shutdown_timeout_outlasts_the_runtime_stop(string? runtimeShutdown, string? siloSeconds, int expectedSeconds)
    {
        using var configured = factory.WithWebHostBuilder(b =>
        {
            if (runtimeShutdown is not null)
            {
                b.UseSetting("Runtime:ShutdownTimeout", runtimeShutdown);
            }

            if (siloSeconds is not null)
            {
                b.UseSetting("Silo:ShutdownTimeoutSeconds", siloSeconds);
            }
        });

        var host = configured.Services.GetRequiredService<IOptions<HostOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), host.ShutdownTimeout);
    }
}
