using System.Net;
using System.Text;
using Atelier.Silo.Tests.Http;

namespace Atelier.Silo.Tests.Observability;

/// <summary><c>GET /metrics</c> of the real silo (TestServer) with the demo models from the setup cache.</summary>
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_after_a_session_flow_parse_and_contain_every_family()
    {
        await using var host = new ApiHost(ApiHost.Unlimited(("Silo:Name", "metrics-silo")));
        using var client = host.CreateClient();
        var id = await SessionFixture.OpenAsync(client, TestImages.Png(), "image/png");
        using (var segment = await client.PostAsync(new Uri($"/v1/sessions/{id}/segment", UriKind.Relative), Json("{\"points\": [[48, 32]]}")))
        {
            Assert.Equal(HttpStatusCode.OK, segment.StatusCode);
        }

        using (var missing = await client.GetAsync(new Uri("/v1/sessions/no-such-session", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        using (var close = await client.DeleteAsync(new Uri($"/v1/sessions/{id}", UriKind.Relative)))
        {
            Assert.True(close.IsSuccessStatusCode);
        }

        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var text = await response.Content.ReadAsStringAsync();
        var families = PrometheusText.Parse(text);

        // HTTP: by route template (never the raw path) and status.
        Assert.Equal(1, families.Value("atelier_http_server_requests_total", ("route", "/v1/sessions/{id}/segment"), ("method", "POST"), ("status", "200")));
        Assert.True(1 == families.Value("atelier_http_server_requests_total", ("route", "/v1/sessions"), ("method", "POST"), ("status", "201")),
            string.Join("\n", text.Split('\n').Where(l => l.StartsWith("atelier_http_server_requests_total", StringComparison.Ordinal))));
        Assert.Equal(1, families.Value("atelier_http_server_requests_total", ("route", "/v1/sessions/{id}"), ("method", "GET"), ("status", "404")));
        Assert.DoesNotContain(id, text, StringComparison.Ordinal); // no session ids in labels
        Assert.NotEmpty(families.Samples("atelier_http_server_request_duration_seconds", ("route", "/v1/sessions/{id}/segment")));

        // Orleans' own meter: session activations by grain type, application request latency, messaging.
        Assert.True(families.Value("orleans_catalog_activation_created_total", ("grain_type", "session")) >= 1);
        Assert.True(families.HistogramCount("orleans_app_requests_latency_milliseconds") >= 1);
        Assert.Contains("orleans_catalog_activations", families.Keys);
        Assert.Contains("orleans_messaging_processing_dispatcher_received_total", families.Keys);

        // Sessions.
        Assert.Equal(1, families.Value("atelier_sessions_opened_total"));
        Assert.Equal(1, families.Value("atelier_sessions_closed_total"));
        Assert.Equal(0, families.Value("atelier_sessions_active"));
        foreach (var family in new[] { "atelier_sessions_expired_total", "atelier_sessions_rehomed_total", "atelier_sessions_migrated_total",
                     "atelier_session_cache_demotions_total", "atelier_session_cache_drops_total" })
        {
            Assert.Equal(0, families.Value(family));
        }

        Assert.Equal(0, families.Value("atelier_session_cache_usage_bytes", ("tier", "device"))); // closed: every byte released
        Assert.True(families.Value("atelier_session_cache_budget_bytes", ("tier", "device")) > 0);
        Assert.True(families.Value("atelier_session_cache_budget_bytes", ("tier", "host")) > 0);

        // Models, per model.
        const string sam = "sam-demo";
        Assert.Equal(1, families.Value("atelier_model_loads_total", ("model", sam)));
        Assert.Equal(1, families.Value("atelier_model_cache_misses_total", ("model", sam)));
        Assert.True(families.Value("atelier_model_cache_hits_total", ("model", sam)) >= 1); // the click found it resident
        Assert.Equal(0, families.Value("atelier_model_evictions_total", ("model", sam)));
        Assert.True(families.Value("atelier_model_resident_bytes", ("model", sam)) > 0);
        var runs = families.Value("atelier_model_runs_total", ("model", sam));
        Assert.Equal(1, families.HistogramCount("atelier_model_run_duration_seconds", ("model", sam), ("operation", "decode"))); // the click
        Assert.True(families.HistogramCount("atelier_model_run_duration_seconds", ("model", sam), ("operation", "encode")) >= 1); // the upload
        Assert.Equal(runs, families.HistogramCount("atelier_model_run_duration_seconds", ("model", sam)));
        Assert.Equal(runs, families.HistogramCount("atelier_model_queue_wait_seconds", ("model", sam)));
        Assert.Equal(1, families.HistogramCount("atelier_model_load_duration_seconds", ("model", sam)));
        Assert.Equal(0, families.Value("atelier_model_queue_length", ("model", sam)));
        Assert.True(families.Value("atelier_device_memory_usage_bytes", ("tier", "device")) >= families.Value("atelier_model_resident_bytes", ("model", sam)));
        Assert.True(families.Value("atelier_device_memory_budget_bytes", ("tier", "device")) > 0);
    }

    [Fact]
    public async Task Per_model_counters_show_a_hit_after_a_load_and_an_eviction_under_a_small_budget()
    {
        // 32,000 bytes hold sam-demo (23,043 bytes of files) or lama-demo (18,923) but not both.
        await using var host = new ApiHost(ApiHost.Unlimited(("Device:MemoryBudgetBytes", "32000")));
        using var client = host.CreateClient();
        await PostOkAsync(client, "/v1/models/sam-demo/load");
        var afterLoad = await ScrapeAsync(client);
        Assert.Equal(1, afterLoad.Value("atelier_model_loads_total", ("model", "sam-demo")));
        Assert.Equal(1, afterLoad.Value("atelier_model_cache_misses_total", ("model", "sam-demo")));
        Assert.Equal(0, afterLoad.Value("atelier_model_cache_hits_total", ("model", "sam-demo")));

        await PostOkAsync(client, "/v1/models/sam-demo/load"); // resident: a hit, no second load
        var afterHit = await ScrapeAsync(client);
        Assert.Equal(1, afterHit.Value("atelier_model_loads_total", ("model", "sam-demo")));
        Assert.Equal(1, afterHit.Value("atelier_model_cache_hits_total", ("model", "sam-demo")));
        Assert.Equal(1, afterHit.Value("atelier_model_cache_misses_total", ("model", "sam-demo")));

        await PostOkAsync(client, "/v1/models/lama-demo/load"); // does not fit beside sam-demo: sam-demo is evicted
        var afterEviction = await ScrapeAsync(client);
        Assert.Equal(1, afterEviction.Value("atelier_model_evictions_total", ("model", "sam-demo")));
        Assert.Equal(0, afterEviction.Value("atelier_model_evictions_total", ("model", "lama-demo")));
        Assert.Equal(0, afterEviction.Value("atelier_model_resident_bytes", ("model", "sam-demo")));
        Assert.True(afterEviction.Value("atelier_model_resident_bytes", ("model", "lama-demo")) > 0);
        Assert.Equal(1, afterEviction.Value("atelier_model_loads_total", ("model", "lama-demo")));
        Assert.True(afterEviction.Value("atelier_device_memory_usage_bytes", ("tier", "device")) <= 32000);

        await PostOkAsync(client, "/v1/models/sam-demo/load"); // back: a miss and a second load, lama-demo evicted in turn
        var afterReload = await ScrapeAsync(client);
        Assert.Equal(2, afterReload.Value("atelier_model_loads_total", ("model", "sam-demo")));
        Assert.Equal(2, afterReload.Value("atelier_model_cache_misses_total", ("model", "sam-demo")));
        Assert.Equal(1, afterReload.Value("atelier_model_evictions_total", ("model", "lama-demo")));
        Assert.Equal(2, afterReload.HistogramCount("atelier_model_load_duration_seconds", ("model", "sam-demo")));
    }

    [Fact]
    public async Task Metrics_need_no_api_key_while_the_api_does_and_can_be_turned_off()
    {
        await using (var secured = new ApiHost(ApiHost.Unlimited(("Security:ApiKeys:0:Key", "k-0123456789abcdef"), ("Security:ApiKeys:0:Tenant", "t"))))
        {
            using var client = secured.CreateClient();
            using var api = await client.GetAsync(new Uri("/v1/models", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
            using var metrics = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
            var families = PrometheusText.Parse(await metrics.Content.ReadAsStringAsync());
            Assert.Equal(1, families.Value("atelier_http_server_requests_total", ("route", "/v1/models"), ("status", "401")));
        }

        await using var off = new ApiHost(ApiHost.Unlimited(("Observability:MetricsEnabled", "false")));
        using var offClient = off.CreateClient();
        using var none = await offClient.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
    }

    [Fact]
    public async Task Client_chosen_methods_and_paths_do_not_become_labels()
    {
        await using var host = new ApiHost(ApiHost.Unlimited());
        using var client = host.CreateClient();
        using (var odd = await client.SendAsync(new HttpRequestMessage(new HttpMethod("BREW"), "/v1/models")))
        {
            Assert.False(odd.IsSuccessStatusCode);
        }

        using (var unknown = await client.GetAsync(new Uri("/no/such/path-4f1d", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        var text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var families = PrometheusText.Parse(text);
        Assert.True(families.Value("atelier_http_server_requests_total", ("method", "OTHER")) >= 1);
        Assert.Equal(1, families.Value("atelier_http_server_requests_total", ("route", "unmatched"), ("method", "GET"), ("status", "404")));
        Assert.DoesNotContain("BREW", text, StringComparison.Ordinal);
        Assert.DoesNotContain("path-4f1d", text, StringComparison.Ordinal);
    }

    internal static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task PostOkAsync(HttpClient client, string path)
    {
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), null);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task<Dictionary<string, PrometheusFamily>> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }
}
