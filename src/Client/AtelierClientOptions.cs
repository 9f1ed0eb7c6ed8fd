namespace Atelier.Client;

/// <summary>Behaviour of an <see cref="AtelierClient"/>.</summary>
public sealed class AtelierClientOptions
{
    /// <summary>API key sent as <c>Authorization: Bearer</c>; null when the server runs open. Default: null.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Retries of an idempotent call (GET, DELETE) answered 503 or 429. Default: 3.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>First backoff when the server sends no <c>Retry-After</c>; doubled each retry, with jitter. Default: 250 ms.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest single wait, whatever <c>Retry-After</c> asks. Default: 30 s.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);
}
