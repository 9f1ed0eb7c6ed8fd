using System.Net;
using System.Net.Http.Headers;

namespace Atelier.Silo.Tests.Http;

/// <summary>Per-tenant token buckets: over the rate is 429 <c>rate_limited</c> with Retry-After; other tenants are unaffected.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task Tenant_over_its_rate_gets_429_with_retry_after_and_other_tenants_do_not()
    {
        await using var host = new ApiHost(new Dictionary<string, string?>
        {
            ["Security:ApiKeys:0:Key"] = "alice-key-0123456789",
            ["Security:ApiKeys:0:Tenant"] = "alice",
            ["Security:ApiKeys:1:Key"] = "bob-key-0123456789ab",
            ["Security:ApiKeys:1:Tenant"] = "bob",
            ["Security:RatePerSecond"] = "1",
            ["Security:RateBurst"] = "2",
        });
        using var client = host.CreateClient();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 4; i++)
        {
            var response = await GetAsync(client, "alice-key-0123456789");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited ??= response;
            }
            else
            {
                response.Dispose();
            }
        }

        using var bob = await GetAsync(client, "bob-key-0123456789ab");

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.Equal(HttpStatusCode.OK, statuses[0]);
        Assert.NotNull(limited);
        await ProblemAssert.IsProblemAsync(limited!, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(limited!.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, bob.StatusCode);
        limited.Dispose();
    }

    private static Task<HttpResponseMessage> GetAsync(HttpClient client, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client.SendAsync(request);
    }
}
