using System.Net;
using Atelier.Silo.Tests.Http;

namespace Atelier.Editor.Tests;

/// <summary>How the silo serves the editor's files (no browser needed): at <c>/</c>, same-origin only, open while the API is gated.</summary>
public sealed class EditorFilesTests
{
    private const string Key = "editor-files-key-0123456789";

    [Fact]
    public async Task Root_serves_the_editor_page_with_a_same_origin_policy()
    {
        await using var host = new ApiHost(ApiHost.Unlimited());
        using var client = host.CreateClient();

        using var page = await client.GetAsync(new Uri("/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<script type=\"module\" src=\"editor.js\"></script>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var policy = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/editor.js", "text/javascript")]
    [InlineData("/api.js", "text/javascript")]
    [InlineData("/mask.js", "text/javascript")]
    [InlineData("/editor.css", "text/css")]
    public async Task Every_module_and_the_stylesheet_are_served(string path, string type)
    {
        await using var host = new ApiHost(ApiHost.Unlimited());
        using var client = host.CreateClient();

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task With_api_keys_the_editor_is_open_and_the_api_is_not()
    {
        await using var host = new ApiHost(ApiHost.Unlimited(("Security:ApiKeys:0:Key", Key), ("Security:ApiKeys:0:Tenant", "editor")));
        using var client = host.CreateClient();

        using var page = await client.GetAsync(new Uri("/", UriKind.Relative));
        using var script = await client.GetAsync(new Uri("/editor.js", UriKind.Relative));
        using var models = await client.GetAsync(new Uri("/v1/models", UriKind.Relative));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Unauthorized), (page.StatusCode, script.StatusCode, models.StatusCode));
    }

    [Fact]
    public async Task A_file_the_editor_does_not_have_is_a_problem_404()
    {
        await using var host = new ApiHost(ApiHost.Unlimited());
        using var client = host.CreateClient();

        using var response = await client.GetAsync(new Uri("/nothing-here.js", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
