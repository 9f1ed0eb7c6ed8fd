using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Atelier.Silo.Tests;

public sealed class HealthEndpointTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task Healthz_answers_200_with_no_configuration()
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readyz_answers_200_once_the_silo_has_started()
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/readyz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Every_response_names_the_silo_that_executed_it()
    {
        using var named = factory.WithWebHostBuilder(b => b.UseSetting("Silo:Name", "silo-a"));
        using var client = named.CreateClient();

        using var health = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        using var missing = await client.GetAsync(new Uri("/no-such-route", UriKind.Relative));

        Assert.Equal("silo-a", Assert.Single(health.Headers.GetValues("X-Atelier-Silo")));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("silo-a", Assert.Single(missing.Headers.GetValues("X-Atelier-Silo")));
    }

    [Fact]
    public void Invalid_options_fail_at_start_with_the_setting_named()
    {
        using var broken = factory.WithWebHostBuilder(b => b.UseSetting("Silo:Device", "tpu"));

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => broken.CreateClient());

        Assert.Contains("Silo:Device", error.Message, StringComparison.Ordinal);
    }
}
