using System.Net;
using Atelier.Silo.Tests.Http;

namespace Atelier.Silo.Tests.KServe;

/// <summary>With API keys configured, <c>/v2</c> is authenticated like <c>/v1</c>; its health probes are not.</summary>
public sealed class KServeAuthTests : IAsyncLifetime
{
    private const string Key = "kserve-test-key-0123456789abcdef";

    private readonly ApiHost _host = new(ApiHost.Unlimited(("Security:ApiKeys:0:Key", Key), ("Security:ApiKeys:0:Tenant", "alice")));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task V2_needs_a_key_except_for_health_probes()
    {
        using var client = _host.CreateClient();

        using var live = await client.GetAsync(new Uri("/v2/health/live", UriKind.Relative));
        using var anonymous = await client.GetAsync(new Uri("/v2/models/isnet", UriKind.Relative));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/models/isnet");
        request.Headers.Authorization = new("Bearer", Key);
        using var authenticated = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, authenticated.StatusCode);
    }
}
