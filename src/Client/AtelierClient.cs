using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Atelier.Client;

/// <summary>
/// Typed async client of the Atelier HTTP API. Errors throw <see cref="AtelierApiException"/> with the server's
/// stable code; idempotent calls (GET, DELETE) answered 503/429 are retried with backoff, honouring <c>Retry-After</c>.
/// Thread-safe; share one instance.
/// </summary>
public sealed partial class AtelierClient : IDisposable
{
    /// <summary>Response header naming the silo that executed a request.</summary>
    public const string SiloHeader = "X-Atelier-Silo";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly AtelierClientOptions _options;

    /// <summary>A client over <paramref name="httpClient"/>, whose <see cref="HttpClient.BaseAddress"/> is the server.</summary>
    public AtelierClient(HttpClient httpClient, AtelierClientOptions? options = null)
        : this(httpClient, ownsHttp: false, options)
    {
    }

    /// <summary>A client of the server at <paramref name="server"/> with its own <see cref="HttpClient"/>.</summary>
    public AtelierClient(Uri server, AtelierClientOptions? options = null)
        : this(new HttpClient { BaseAddress = server, Timeout = Timeout.InfiniteTimeSpan }, ownsHttp: true, options)
    {
    }

    private AtelierClient(HttpClient httpClient, bool ownsHttp, AtelierClientOptions? options)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        if (httpClient.BaseAddress is null)
        {
            throw new ArgumentException("The HttpClient needs a BaseAddress (the server URL).", nameof(httpClient));
        }

        _http = httpClient;
        _ownsHttp = ownsHttp;
        _options = options ?? new AtelierClientOptions();
    }

    /// <summary>The server this client talks to.</summary>
    public Uri Server => _http.BaseAddress!;

    /// <summary>Whether <c>/healthz</c> answers 200.</summary>
    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync(new Uri("healthz", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode;
    }

    /// <summary>Whether <c>/readyz</c> answers 200.</summary>
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync(new Uri("readyz", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode;
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private async Task<T> SendJsonAsync<T>(Func<HttpRequestMessage> request, bool idempotent, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(request, idempotent, cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync<T>(response, cancellationToken).ConfigureAwait(false);
    }

    private async Task<byte[]> SendBytesAsync(Func<HttpRequestMessage> request, bool idempotent, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(request, idempotent, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends, retrying idempotent requests on 503/429; throws <see cref="AtelierApiException"/> on any error answer.</summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> create, bool idempotent, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = create();
            if (_options.ApiKey is { Length: > 0 } key)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }

            cancellationToken.ThrowIfCancellationRequested();
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (cancellationToken.IsCancellationRequested)
            {
                // Some handlers report a cancelled upload as a failed copy; the caller asked for cancellation.
                throw new OperationCanceledException("The request was cancelled.", e, cancellationToken);
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                var retryable = response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests;
                if (!idempotent || !retryable || attempt >= _options.MaxRetries)
                {
                    throw await ErrorAsync(response, cancellationToken).ConfigureAwait(false);
                }

                await Task.Delay(RetryDelay(response, attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The server's <c>Retry-After</c> when present, else exponential backoff with jitter; capped.</summary>
    internal TimeSpan RetryDelay(HttpResponseMessage response, int attempt)
    {
        var delay = RetryAfter(response)
            ?? TimeSpan.FromMilliseconds(_options.InitialBackoff.TotalMilliseconds * Math.Pow(2, attempt) * (0.5 + (Random.Shared.NextDouble() / 2)));
        return delay > _options.MaxBackoff ? _options.MaxBackoff : delay;
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is not { } retryAfter)
        {
            return null;
        }

        if (retryAfter.Delta is { } delta)
        {
            return delta;
        }

        return retryAfter.Date is { } date ? date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero : null;
    }

    private static async Task<AtelierApiException> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string? code = null, title = null, detail = null, traceId = null;
        try
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (body.Length > 0 && response.Content.Headers.ContentType?.MediaType is { } media && media.Contains("json", StringComparison.OrdinalIgnoreCase))
            {
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                code = StringOf(root, "code");
                title = StringOf(root, "title");
                detail = StringOf(root, "detail");
                traceId = StringOf(root, "traceId");
            }
        }
        catch (JsonException)
        {
            // Not a problem document: keep the status only.
        }

        return new AtelierApiException(response.StatusCode, code ?? "http_" + ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture),
            title ?? response.ReasonPhrase, detail, traceId, RetryAfter(response));
    }

    private static string? StringOf(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken) =>
        await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken).ConfigureAwait(false)
        ?? throw new AtelierApiException($"The server answered {(int)response.StatusCode} with an empty body.");

    private static HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content = null, string? accept = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        if (accept is not null)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/problem+json"));
        }

        return request;
    }

    private static HttpContent JsonBody<T>(T value) => JsonContent.Create(value, options: Json);

    private static string Escape(string segment) => Uri.EscapeDataString(segment);
}
