using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Atelier.Imaging;

namespace Atelier.Cluster.Tests;

/// <summary>The public session API of real silo processes, as a client uses it (raw HTTP, JSON bodies).</summary>
internal sealed class SessionApi(HttpClient http)
{
    public const int Width = 96;
    public const int Height = 64;

    /// <summary>A bright disk on a textured background, PNG-encoded by the real codec.</summary>
    public static byte[] Picture()
    {
        using var image = new RgbImage(Width, Height);
        for (var y = 0; y < Height; y++)
        {
            var row = image.Row(y);
            for (var x = 0; x < Width; x++)
            {
                var inside = ((x - 48) * (x - 48)) + ((y - 32) * (y - 32)) <= 16 * 16;
                row[x * 3] = inside ? (byte)230 : (byte)(30 + ((x + y) % 7));
                row[(x * 3) + 1] = inside ? (byte)200 : (byte)(40 + (x % 5));
                row[(x * 3) + 2] = inside ? (byte)60 : (byte)(50 + (y % 6));
            }
        }

        return PngEncoder.Encode(image);
    }

    /// <summary>A mask PNG at the picture's size covering the disk, base64 for an erase body.</summary>
    public static string DiskMaskBase64()
    {
        using var mask = new Mask(Width, Height);
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                mask.Data[(y * Width) + x] = ((x - 48) * (x - 48)) + ((y - 32) * (y - 32)) <= 18 * 18 ? (byte)255 : (byte)0;
            }
        }

        return Convert.ToBase64String(PngEncoder.Encode(mask));
    }

    /// <summary>Opens a session through <paramref name="silo"/>; answers its id and the owner named in X-Atelier-Silo.</summary>
    public async Task<(string Id, string Owner)> OpenAsync(SiloProcess silo, byte[] picture, string? model = null)
    {
        using var content = new ByteArrayContent(picture);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var query = model is null ? "" : "?model=" + model;
        using var response = await http.PostAsync(new Uri(silo.BaseAddress, "/v1/sessions" + query), content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"open via {silo.Name}: {(int)response.StatusCode} {body}\n{silo.OutputTail}");
        using var json = JsonDocument.Parse(body);
        var owner = Owner(response);
        Assert.Equal(json.RootElement.GetProperty("silo").GetString(), owner);
        return (json.RootElement.GetProperty("id").GetString()!, owner);
    }

    /// <summary>A click on the disk through <paramref name="silo"/>.</summary>
    public Task<HttpResponseMessage> SegmentAsync(SiloProcess silo, string id) =>
        http.PostAsJsonAsync(new Uri(silo.BaseAddress, $"/v1/sessions/{id}/segment"), new { points = new[] { new[] { 48.0, 32.0 } } });

    /// <summary>A refining click (refine: true, one more background point) through <paramref name="silo"/>.</summary>
    public Task<HttpResponseMessage> RefineAsync(SiloProcess silo, string id) =>
        http.PostAsJsonAsync(new Uri(silo.BaseAddress, $"/v1/sessions/{id}/segment"),
            new { points = new[] { new[] { 48.0, 32.0 }, new[] { 4.0, 4.0 } }, labels = new[] { 1, 0 }, refine = true });

    public Task<HttpResponseMessage> InfoAsync(SiloProcess silo, string id) =>
        http.GetAsync(new Uri(silo.BaseAddress, $"/v1/sessions/{id}"));

    public Task<HttpResponseMessage> ImageAsync(SiloProcess silo, string id) =>
        http.GetAsync(new Uri(silo.BaseAddress, $"/v1/sessions/{id}/image"));

    public Task<HttpResponseMessage> CloseAsync(SiloProcess silo, string id) =>
        http.DeleteAsync(new Uri(silo.BaseAddress, $"/v1/sessions/{id}"));

    /// <summary>Erases the disk (supplied mask, applied) through <paramref name="silo"/>, with an optional Idempotency-Key.</summary>
    public Task<HttpResponseMessage> EraseAsync(SiloProcess silo, string id, string? idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(silo.BaseAddress, $"/v1/sessions/{id}/erase"))
        {
            Content = JsonContent.Create(new { mask = DiskMaskBase64(), dilate = 0, apply = true }),
        };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return http.SendAsync(request);
    }

    public async Task<int> VersionAsync(SiloProcess silo, string id)
    {
        using var response = await InfoAsync(silo, id);
        await EnsureAsync(response, silo);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32();
    }

    public static string Owner(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Atelier-Silo", out var values) ? values.Single() : "";

    public static async Task EnsureAsync(HttpResponseMessage response, SiloProcess via)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.Fail($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} via {via.Name}: {(int)response.StatusCode} {body}\n{via.OutputTail}");
        }
    }
}
