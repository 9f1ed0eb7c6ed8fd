using System.Net;
using System.Net.Http.Headers;

namespace Atelier.Silo.Tests.Http;

/// <summary>API keys per tenant, admin keys, tenant isolation (404, never 403, for another tenant's session).</summary>
public sealed class AuthTests : IAsyncLifetime
{
    private const string AliceKey = "alice-key-0123456789";
    private const string BobKey = "bob-key-0123456789ab";
    private const string AdminKey = "admin-key-0123456789";

    private readonly ApiHost _host = new(ApiHost.Unlimited(
        ("Security:ApiKeys:0:Key", AliceKey), ("Security:ApiKeys:0:Tenant", "alice"),
        ("Security:ApiKeys:1:Key", BobKey), ("Security:ApiKeys:1:Tenant", "bob"),
        ("Security:AdminKeys:0", AdminKey)));

    private HttpClient _client = null!;

    public Task InitializeAsync()
    {
        _client = _host.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Missing_key_is_401_unauthorized_with_a_bearer_challenge()
    {
        using var response = await _client.GetAsync(new Uri("/v1/models", UriKind.Relative));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [InlineData("Bearer wrong-key-0123456789")]
    [InlineData("Bearer alice-key-012345678")]
    [InlineData("Bearer alice-key-0123456789X")]
    [InlineData("Basic YWxpY2U6cGFzcw==")]
    public async Task Invalid_key_is_401_unauthorized(string authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/cluster");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        using var response = await _client.SendAsync(request);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData(AliceKey, HttpStatusCode.Forbidden)]
    [InlineData(AdminKey, HttpStatusCode.OK)]
    public async Task The_orleans_dashboard_is_for_admin_keys_only(string? key, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard/");
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await _client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.OK)
        {
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Bearer_and_X_Api_Key_both_authenticate()
    {
        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AliceKey);
        using var header = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        header.Headers.Add("X-Api-Key", BobKey);

        using var first = await _client.SendAsync(bearer);
        using var second = await _client.SendAsync(header);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
    }

    [Fact]
    public async Task Health_and_openapi_need_no_key()
    {
        using var health = await _client.GetAsync(new Uri("/healthz", UriKind.Relative));
        using var openapi = await _client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, openapi.StatusCode);
    }

    [Fact]
    public async Task Another_tenants_session_answers_404_exactly_like_a_missing_one()
    {
        var id = await OpenAsync(AliceKey);

        using var own = await SendAsync(HttpMethod.Get, $"/v1/sessions/{id}", AliceKey);
        using var foreign = await SendAsync(HttpMethod.Get, $"/v1/sessions/{id}", BobKey);
        using var foreignDelete = await SendAsync(HttpMethod.Delete, $"/v1/sessions/{id}", BobKey);
        using var stillThere = await SendAsync(HttpMethod.Get, $"/v1/sessions/{id}", AliceKey);

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        var problem = await ProblemAssert.IsProblemAsync(foreign, HttpStatusCode.NotFound, "session_not_found");
        await ProblemAssert.IsProblemAsync(foreignDelete, HttpStatusCode.NotFound, "session_not_found");
        Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
        Assert.DoesNotContain("alice", problem.GetRawText(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Registering_a_model_needs_an_admin_key()
    {
        using var tenant = await SendAsync(HttpMethod.Put, "/v1/models/tenant-model", AliceKey, Archive());
        using var admin = await SendAsync(HttpMethod.Put, "/v1/models/tenant-model", AdminKey, Archive());

        await ProblemAssert.IsProblemAsync(tenant, HttpStatusCode.Forbidden, "forbidden");
        // The admin passes the key check and reaches the store, which refuses the (empty) archive.
        await ProblemAssert.IsProblemAsync(admin, HttpStatusCode.BadRequest, "archive_invalid");
    }

    [Fact]
    public async Task Deleting_a_shared_model_needs_an_admin_key()
    {
        using var response = await SendAsync(HttpMethod.Delete, "/v1/models/sam-demo", AliceKey);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
    }

    private static ByteArrayContent Archive()
    {
        var content = new ByteArrayContent([0x1f, 0x8b, 0x08, 0x00]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        return content;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string key, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await _client.SendAsync(request);
    }

    private async Task<string> OpenAsync(string key)
    {
        var content = new ByteArrayContent(TestImages.Png(32, 24));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        using var response = await SendAsync(HttpMethod.Post, "/v1/sessions", key, content);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var document = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("id").GetString()!;
    }
}
