using System.Net;
using System.Net.Http.Headers;
using Atelier.Silo.Tests.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Atelier.Silo.Tests.Observability;

/// <summary>One structured Information line per request, with route, status, silo and session, and nothing secret.</summary>
public sealed class RequestLogTests
{
    private const string Key = "k-request-log-secret-0123456789";

    [Fact]
    public async Task Each_request_logs_one_line_with_route_status_silo_and_session_but_no_key_or_image()
    {
        var logs = new CapturedLogs();
        await using var host = new ApiHost(ApiHost.Unlimited(("Silo:Name", "log-silo"), ("Security:ApiKeys:0:Key", Key), ("Security:ApiKeys:0:Tenant", "acme")));
        await using var factory = host.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddLogging(l => l.AddProvider(logs))));
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);

        var image = TestImages.Png();
        var id = await SessionFixture.OpenAsync(client, image, "image/png");
        using (var segment = await client.PostAsync(new Uri($"/v1/sessions/{id}/segment", UriKind.Relative), MetricsEndpointTests.Json("{\"points\": [[48, 32]]}")))
        {
            Assert.Equal(HttpStatusCode.OK, segment.StatusCode);
        }

        using (var bad = await client.PostAsync(new Uri($"/v1/sessions/{id}/segment", UriKind.Relative), MetricsEndpointTests.Json("{\"points\": [[4000, 15]]}")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        var lines = logs.Entries.Where(e => e.Category == "Atelier.Silo.Requests").ToList();
        Assert.Equal(3, lines.Count);
        Assert.All(lines, l => Assert.Equal(LogLevel.Information, l.Level));
        Assert.All(lines, l => Assert.Equal(1100, l.EventId));

        var open = lines[0];
        Assert.Equal("/v1/sessions", open.Values["Route"]);
        Assert.Equal(201, open.Values["Status"]);
        Assert.Equal(id, open.Values["Session"]);
        Assert.Equal("log-silo", open.Values["Silo"]);
        Assert.Equal("log-silo", open.Values["Owner"]);

        Assert.Equal("/v1/sessions/{id}/segment", lines[1].Values["Route"]);
        Assert.Equal(200, lines[1].Values["Status"]);
        Assert.Equal(id, lines[1].Values["Session"]);
        Assert.Equal(400, lines[2].Values["Status"]);
        Assert.Contains($"responded 400", lines[2].Message, StringComparison.Ordinal);

        // Nothing secret or bulky anywhere in the log: not the key, not image bytes.
        var everything = string.Join("\n", logs.Entries.Select(e => e.Message + " " + string.Join(" ", e.Values.Values)));
        Assert.DoesNotContain(Key, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(image.AsSpan(0, 24)), everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_lines_can_be_turned_off()
    {
        var logs = new CapturedLogs();
        await using var host = new ApiHost(ApiHost.Unlimited(("Observability:RequestLogs", "false")));
        await using var factory = host.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddLogging(l => l.AddProvider(logs))));
        using var client = factory.CreateClient();
        using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var metrics = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        var families = PrometheusText.Parse(await metrics.Content.ReadAsStringAsync());
        Assert.Equal(1, families.Value("atelier_http_server_requests_total", ("route", "/healthz"), ("status", "200"))); // metrics still count it
        Assert.DoesNotContain(logs.Entries, e => e.Category == "Atelier.Silo.Requests");
    }
}
