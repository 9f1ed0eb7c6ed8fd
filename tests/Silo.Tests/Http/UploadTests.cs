using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Atelier.Silo.Tests.Http;

/// <summary>Uploads as raw bodies or multipart field <c>image</c>; sniffed content, limits while reading.</summary>
public sealed class UploadTests(SessionFixture fixture) : IClassFixture<SessionFixture>
{
    [Fact]
    public async Task Multipart_field_image_opens_a_session_with_location()
    {
        using var image = new ByteArrayContent(TestImages.Jpeg(50, 40));
        image.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        using var form = new MultipartFormDataContent { { new StringContent("ignored"), "note" }, { image, "image", "scene.jpg" } };

        using var response = await fixture.Client.PostAsync(new Uri("/v1/sessions?ttl=120", UriKind.Relative), form);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var id = body.RootElement.GetProperty("id").GetString();
        Assert.Equal($"/v1/sessions/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(50, body.RootElement.GetProperty("width").GetInt32());
        Assert.Equal(120, body.RootElement.GetProperty("ttlSeconds").GetInt32());
    }

    [Fact]
    public async Task Octet_stream_upload_is_sniffed()
    {
        using var content = new ByteArrayContent(TestImages.WebP(30, 20));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        using var response = await fixture.Client.PostAsync(new Uri("/v1/sessions", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Oversize_multipart_field_is_413_image_too_large()
    {
        using var image = new ByteArrayContent(new byte[100_000]);
        using var form = new MultipartFormDataContent { { image, "image", "big.png" } };

        using var response = await fixture.Client.PostAsync(new Uri("/v1/sessions", UriKind.Relative), form);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "image_too_large");
    }

    [Fact]
    public async Task Session_json_and_mask_answers_follow_the_contract()
    {
        using var get = await fixture.Client.GetAsync(new Uri($"/v1/sessions/{fixture.SessionId}", UriKind.Relative));
        using var session = JsonDocument.Parse(await get.Content.ReadAsStringAsync());
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/sessions/{fixture.SessionId}/segment")
        {
            Content = new StringContent("{\"points\": [[48, 32]], \"multimask\": true}", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var segment = await fixture.Client.SendAsync(request);
        using var masks = JsonDocument.Parse(await segment.Content.ReadAsStringAsync());

        foreach (var field in new[] { "id", "width", "height", "model", "version", "canUndo", "canRedo", "embedding", "expiresAt", "silo" })
        {
            Assert.True(session.RootElement.TryGetProperty(field, out _), $"session JSON lacks '{field}'");
        }

        Assert.Contains(session.RootElement.GetProperty("embedding").GetString(), new[] { "device", "host", "none" });
        var list = masks.RootElement.GetProperty("masks").EnumerateArray().ToList();
        Assert.True(list.Count >= 1);
        var scores = list.Select(m => m.GetProperty("score").GetSingle()).ToList();
        Assert.Equal(scores.OrderByDescending(s => s), scores);
        Assert.Equal(4, list[0].GetProperty("bbox").GetArrayLength());
        Assert.Equal([SessionFixture.Height, SessionFixture.Width], list[0].GetProperty("rle").GetProperty("size").EnumerateArray().Select(e => e.GetInt32()));
        Assert.True(masks.RootElement.GetProperty("elapsedMs").GetDouble() >= 0);
    }
}
