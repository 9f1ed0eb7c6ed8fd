using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Atelier.Silo.Tests.Http;

/// <summary>A silo with small body limits and one open session on a 96×64 PNG.</summary>
public sealed class SessionFixture : IAsyncLifetime
{
    public const int Width = 96;
    public const int Height = 64;

    public ApiHost Host { get; } = new(ApiHost.Unlimited(("Api:MaxUploadBytes", "65536"), ("Api:MaxJsonBytes", "65536")));

    public HttpClient Client { get; private set; } = null!;

    public string SessionId { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Client = Host.CreateClient();
        SessionId = await OpenAsync(Client, TestImages.Png(Width, Height), "image/png");
    }

    public Task DisposeAsync()
    {
        Client.Dispose();
        return Host.DisposeAsync().AsTask();
    }

    public static async Task<string> OpenAsync(HttpClient client, byte[] image, string contentType)
    {
        using var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var response = await client.PostAsync(new Uri("/v1/sessions", UriKind.Relative), content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("id").GetString()!;
    }
}
