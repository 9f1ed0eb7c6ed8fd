using System.Net;
using System.Text.RegularExpressions;
using Atelier.Client;
using Atelier.Client.Grpc;
using Atelier.Grpc.Tests.Support;
using Atelier.Silo.Tests.Http;
using Atelier.Silo.Tests.Observability;

namespace Atelier.Grpc.Tests;

/// <summary>
/// <c>GET /metrics</c> of a real silo (Kestrel, the gRPC port) after an HTTP and gRPC session flow: strict Prometheus
/// text (<see cref="PrometheusText"/>) from the OpenTelemetry exporter with our families, ASP.NET Core's (gRPC calls
/// per method), Kestrel's, the runtime's and Orleans'; and the README's metric table matches it.
/// </summary>
public sealed partial class MetricsScrapeTests(GrpcSilo silo) : IClassFixture<GrpcSilo>
{
    [Fact]
    public async Task Scrape_after_a_grpc_and_http_flow_has_every_family_and_matches_the_readme()
    {
        using (var grpc = new GrpcAtelierClient(silo.GrpcUri))
        using (var image = new MemoryStream(TestImages.Png(96, 64)))
        {
            var session = await grpc.OpenSessionAsync(image, "image/png");
            await grpc.SegmentAsync(session.Id, SegmentPrompt.At(new PromptPoint(48, 32)));
            await using (var interact = grpc.InteractAsync(session.Id))
            {
                await interact.SendAsync(SegmentPrompt.At(new PromptPoint(48, 32)));
                await interact.CompleteAsync();
                await foreach (var _ in interact.ReadAllAsync())
                {
                }
            }

            await grpc.CloseSessionAsync(session.Id);
        }

        using var http = new HttpClient { BaseAddress = silo.HttpUri };
        using (var models = await http.GetAsync(new Uri("v1/models", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        }

        using var response = await http.GetAsync(new Uri("metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var families = PrometheusText.Parse(await response.Content.ReadAsStringAsync());

        // Ours, per gRPC method and per HTTP route; the silo's model counters moved with the flow.
        Assert.Equal(1, families.Value("atelier_http_server_requests_total", ("route", "/atelier.v1.Sessions/Segment"), ("status", "200")));
        Assert.Equal(1, families.Value("atelier_http_server_requests_total", ("route", "/atelier.v1.Sessions/Interact"), ("status", "200")));
        Assert.Equal(1, families.Value("atelier_http_server_requests_total", ("route", "/v1/models"), ("method", "GET"), ("status", "200")));
        Assert.Equal(1, families.Value("atelier_sessions_opened_total"));
        Assert.Equal(1, families.Value("atelier_sessions_closed_total"));
        Assert.Equal(2, families.HistogramCount("atelier_model_run_duration_seconds", ("model", "sam-demo"), ("operation", "decode")));
        Assert.Equal(1, families.Value("atelier_model_loads_total", ("model", "sam-demo")));

        // ASP.NET Core's (a gRPC call is a request on its method's route), Kestrel's, the runtime's, Orleans'.
        Assert.Equal(1, families.HistogramCount("http_server_request_duration_seconds", ("http_route", "/atelier.v1.Sessions/Segment")));
        Assert.Contains("kestrel_active_connections", families.Keys);
        Assert.Contains("dotnet_process_cpu_time_seconds_total", families.Keys);
        Assert.True(families.Value("orleans_catalog_activation_created_total", ("grain_type", "session")) >= 1);
        Assert.Equal("test-silo", Assert.Single(families["target_info"].Samples).Label("service_instance_id"));

        // The README's table: every name it lists is exported, every atelier_* family exported is listed.
        var readme = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "README.md"));
        var table = readme[readme.IndexOf("## Observability", StringComparison.Ordinal)..readme.IndexOf("## Benchmarks", StringComparison.Ordinal)];
        var listed = table.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .SelectMany(l => Name().Matches(l.Split('|')[1]).Select(m => m.Groups[1].Value)).ToList();
        Assert.NotEmpty(listed);
        foreach (var name in listed)
        {
            Assert.True(name.EndsWith('*') ? families.Keys.Any(k => k.StartsWith(name[..^1], StringComparison.Ordinal)) || name.StartsWith("http_client_", StringComparison.Ordinal) || name.StartsWith("dns_", StringComparison.Ordinal)
                : families.ContainsKey(name), $"README lists {name}, which /metrics does not export");
        }

        foreach (var family in families.Keys.Where(k => k.StartsWith("atelier_", StringComparison.Ordinal)))
        {
            Assert.True(listed.Contains(family), $"/metrics exports {family}, which the README's table does not list");
        }
    }

    [GeneratedRegex("`([a-z_]+\\*?)`")]
    private static partial Regex Name();
}
