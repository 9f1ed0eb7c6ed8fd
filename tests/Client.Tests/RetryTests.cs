using System.Collections.Concurrent;
using System.Net;
using Atelier.Silo.Tests.Http;

namespace Atelier.Client.Tests;

/// <summary>Retries against the real rate limiter: idempotent calls wait out Retry-After and succeed; others fail at once.</summary>
public sealed class RetryTests
{
    [Fact]
    public async Task Idempotent_call_waits_out_retry_after_and_succeeds()
    {
        await using var host = new ApiHost(new Dictionary<string, string?> { ["Security:RatePerSecond"] = "1", ["Security:RateBurst"] = "1" });
        var seen = new ConcurrentQueue<HttpStatusCode>();
        using var client = new AtelierClient(host.CreateDefaultClient(new StatusRecorder(seen)), new AtelierClientOptions { MaxRetries = 5 });

        await client.GetClusterAsync();
        var cluster = await client.GetClusterAsync();

        Assert.Single(cluster.Silos);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.TooManyRequests], seen.Take(2));
        Assert.Equal(HttpStatusCode.OK, seen.Last());
    }

    [Fact]
    public async Task Non_idempotent_call_is_not_retried()
    {
        await using var host = new ApiHost(new Dictionary<string, string?> { ["Security:RatePerSecond"] = "1", ["Security:RateBurst"] = "1" });
        var seen = new ConcurrentQueue<HttpStatusCode>();
        using var client = new AtelierClient(host.CreateDefaultClient(new StatusRecorder(seen)), new AtelierClientOptions { MaxRetries = 5 });

        await client.ListModelsAsync();
        var error = await Assert.ThrowsAsync<AtelierApiException>(() => client.UndoAsync("AAAAAAAAAAAAAAAAAAAAAAAA"));

        Assert.Equal("rate_limited", error.Code);
        Assert.Equal(HttpStatusCode.TooManyRequests, error.StatusCode);
        Assert.True(error.RetryAfter >= TimeSpan.FromSeconds(1));
        Assert.Equal(2, seen.Count);
    }

    [Fact]
    public void Backoff_follows_retry_after_and_is_capped()
    {
        using var client = new AtelierClient(new Uri("http://127.0.0.1:1/"), new AtelierClientOptions { MaxBackoff = TimeSpan.FromSeconds(5), InitialBackoff = TimeSpan.FromMilliseconds(100) });
        using var asked = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        asked.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(2));
        using var greedy = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        greedy.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(600));
        using var silent = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);

        Assert.Equal(TimeSpan.FromSeconds(2), client.RetryDelay(asked, 0));
        Assert.Equal(TimeSpan.FromSeconds(5), client.RetryDelay(greedy, 0));
        var third = client.RetryDelay(silent, 2);
        Assert.InRange(third.TotalMilliseconds, 200, 400);
    }

    /// <summary>Records the status of every response the client sees (each retry included).</summary>
    private sealed class StatusRecorder(ConcurrentQueue<HttpStatusCode> seen) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            seen.Enqueue(response.StatusCode);
            return response;
        }
    }
}
