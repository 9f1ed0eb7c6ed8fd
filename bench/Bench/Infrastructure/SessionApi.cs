using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Atelier.Bench.Infrastructure;

/// <summary>The few HTTP API calls the suite makes (see docs/api.md), each read to the end and checked.</summary>
internal static class SessionApi
{
    /// <summary><c>POST /v1/sessions?model=…</c> with the raw JPEG; returns the session id and its owner silo.</summary>
    public static Task<(string Id, string Silo)> OpenAsync(HttpClient http, byte[] jpeg, string model, CancellationToken cancellationToken) =>
        OpenAsync(http, jpeg, "image/jpeg", model, cancellationToken);

    /// <summary>
    /// <c>POST /v1/sessions</c> with the raw image of <paramref name="contentType"/>, on <paramref name="model"/> (null: the
    /// silo's default model); returns the session id and its owner silo.
    /// </summary>
    public static async Task<(string Id, string Silo)> OpenAsync(
        HttpClient http, byte[] image, string contentType, string? model, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        var path = model is null ? "v1/sessions" : $"v1/sessions?model={Uri.EscapeDataString(model)}";
        using var response = await http.PostAsync(new Uri(path, UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"open ({model ?? "default model"}) failed: {(int)response.StatusCode} {body}");
        }

        using var json = JsonDocument.Parse(body);
        return (json.RootElement.GetProperty("id").GetString()!, json.RootElement.GetProperty("silo").GetString()!);
    }

    /// <summary><c>POST /v1/sessions/{id}/segment</c> with one positive point, PNG answer; returns the answering owner (<c>X-Atelier-Silo</c>).</summary>
    public static async Task<string?> SegmentAsync(HttpClient http, string id, float x, float y, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"v1/sessions/{id}/segment", UriKind.Relative))
        {
            Content = new StringContent(string.Create(CultureInfo.InvariantCulture, $"{{\"points\":[[{x},{y}]]}}"), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("image/png"));
        return await SendAsync(http, request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The same click answered as JSON; returns the grain's own <c>elapsedMs</c> (validation to response, inside the grain).</summary>
    public static async Task<double> SegmentJsonAsync(HttpClient http, string id, float x, float y, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"v1/sessions/{id}/segment", UriKind.Relative))
        {
            Content = new StringContent(string.Create(CultureInfo.InvariantCulture, $"{{\"points\":[[{x},{y}]]}}"), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"segment (JSON) {id}: {(int)response.StatusCode} {body}");
        }

        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("elapsedMs").GetDouble();
    }

    /// <summary><c>GET /v1/sessions/{id}</c> (a grain read, no model run).</summary>
    public static async Task<string?> GetAsync(HttpClient http, string id, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"v1/sessions/{id}", UriKind.Relative));
        return await SendAsync(http, request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>DELETE /v1/sessions/{id}</c>.</summary>
    public static async Task DeleteAsync(HttpClient http, string id, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, new Uri($"v1/sessions/{id}", UriKind.Relative));
        await SendAsync(http, request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Any call: <paramref name="method"/> <paramref name="path"/> (relative to the client's base address) with an optional
    /// JSON body and <c>Accept</c> type, read to the end and checked; returns the answering silo (<c>X-Atelier-Silo</c>).
    /// </summary>
    public static async Task<string?> SendAsync(
        HttpClient http, HttpMethod method, string path, string? json, string? accept, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (accept is not null)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        }

        return await SendAsync(http, request, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<string?> SendAsync(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
        }

        return response.Headers.TryGetValues("X-Atelier-Silo", out var silo) ? silo.FirstOrDefault() : null;
    }
}
