using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Silo.Tests.Http;

/// <summary>The OpenAPI document is valid JSON and lists every endpoint the silo maps, with bodies and problems.</summary>
public sealed class OpenApiTests(SessionFixture fixture) : IClassFixture<SessionFixture>
{
    [Fact]
    public async Task Openapi_document_lists_every_mapped_endpoint()
    {
        using var response = await fixture.Client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = document.RootElement.GetProperty("paths");

        var mapped = fixture.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && raw.StartsWith("/v1", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetOrderedMetadata<HttpMethodMetadata>().SelectMany(m => m.HttpMethods)
                .Select(method => (Path: e.RoutePattern.RawText!.TrimEnd('/'), Method: method.ToLowerInvariant())))
            .ToList();

        Assert.True(mapped.Count >= 17, $"only {mapped.Count} /v1 endpoints mapped");
        foreach (var (path, method) in mapped)
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is not in the OpenAPI document");
            Assert.True(item.TryGetProperty(method, out var operation), $"{method} {path} is not in the OpenAPI document");
            var responses = operation.GetProperty("responses");
            Assert.True(responses.TryGetProperty("401", out _), $"{method} {path} does not document 401");
            Assert.True(responses.TryGetProperty("500", out _), $"{method} {path} does not document 500");
        }
    }

    [Theory]
    [InlineData("/v1/sessions", "post", "image/png")]
    [InlineData("/v1/sessions/{id}/segment", "post", "application/json")]
    [InlineData("/v1/sessions/{id}/erase", "post", "application/json")]
    [InlineData("/v1/sessions/{id}/replace", "post", "application/json")]
    [InlineData("/v1/models/{id}", "put", "application/gzip")]
    public async Task Request_bodies_are_documented(string path, string method, string contentType)
    {
        using var document = JsonDocument.Parse(await fixture.Client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));

        var body = document.RootElement.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("requestBody");

        Assert.True(body.GetProperty("content").TryGetProperty(contentType, out _));
    }

    [Fact]
    public async Task Problem_schema_carries_the_stable_code()
    {
        using var document = JsonDocument.Parse(await fixture.Client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));

        var schema = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("ProblemDetails");

        Assert.True(schema.GetProperty("properties").TryGetProperty("code", out _));
        Assert.True(document.RootElement.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("bearer", out _));
    }

    [Fact]
    public async Task Api_page_is_served_as_html()
    {
        using var response = await fixture.Client.GetAsync(new Uri("/docs", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/openapi/v1.json", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
