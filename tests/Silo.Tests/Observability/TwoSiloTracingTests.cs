using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Atelier.Cluster.Tests;
using Atelier.Silo.Hosting;
using Atelier.Silo.Tests.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Atelier.Silo.Tests.Observability;

/// <summary>
/// Two complete silos in this process (the real host composition, cluster mode: Orleans with Redis membership, real
/// Kestrel) and an <see cref="ActivityListener"/>: a click sent to the silo that does not own the session yields one
/// trace: HTTP span (receiving silo) → Orleans grain call client span (receiving silo) → Orleans grain call server span
/// (owner) → model run span (owner), through Orleans' activity propagation.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class TwoSiloTracingTests(RedisServerFixture redis)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Click_via_the_non_owner_is_one_trace_http_span_then_grain_span_on_the_owner_then_model_run()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "Atelier.Silo" or "Microsoft.Orleans.Application" or "Atelier.Models",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        var cluster = (redis.ConnectionString, redis.NewKeyPrefix());
        await using var a = await InProcessSilo.StartAsync("trace-a", cluster);
        await using var b = await InProcessSilo.StartAsync("trace-b", cluster);
        await WaitUntilAsync(() => a.ActiveSilos == 2 && b.ActiveSilos == 2, "both silos active in membership");

        using var clientA = a.CreateClient();
        string id;
        string ownerName;
        using (var content = new ByteArrayContent(TestImages.Png()))
        {
            content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            using var open = await clientA.PostAsync(new Uri("/v1/sessions", UriKind.Relative), content);
            Assert.Equal(HttpStatusCode.Created, open.StatusCode);
            using var body = JsonDocument.Parse(await open.Content.ReadAsStringAsync());
            id = body.RootElement.GetProperty("id").GetString()!;
            ownerName = open.Headers.GetValues("X-Atelier-Silo").Single();
        }

        var (owner, front) = ownerName == a.Name ? (a, b) : (b, a);
        Assert.Equal(ownerName, owner.Name);

        // The click carries a W3C traceparent from "the browser"; its trace must continue across both silos.
        var traceId = ActivityTraceId.CreateRandom();
        var clientSpan = ActivitySpanId.CreateRandom();
        using var clientFront = front.CreateClient();
        using (var click = new HttpRequestMessage(HttpMethod.Post, $"/v1/sessions/{id}/segment") { Content = MetricsEndpointTests.Json("{\"points\": [[48, 32]]}") })
        {
            click.Headers.Add("traceparent", $"00-{traceId}-{clientSpan}-01");
            using var response = await clientFront.SendAsync(click);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(owner.Name, response.Headers.GetValues("X-Atelier-Silo").Single()); // executed by the owner
        }

        Activity? http = null, call = null, grain = null, model = null;
        await WaitUntilAsync(() =>
        {
            var trace = spans.Where(s => s.TraceId == traceId).ToList();
            http = trace.FirstOrDefault(s => s.Source.Name == "Atelier.Silo" && s.GetTagItem("http.route") as string == "/v1/sessions/{id}/segment");
            call = trace.FirstOrDefault(s => s.Source.Name == "Microsoft.Orleans.Application" && s.Kind == ActivityKind.Client && s.DisplayName.EndsWith("/Segment", StringComparison.Ordinal));
            grain = trace.FirstOrDefault(s => s.Source.Name == "Microsoft.Orleans.Application" && s.Kind == ActivityKind.Server && s.DisplayName.EndsWith("/Segment", StringComparison.Ordinal));
            model = trace.FirstOrDefault(s => s.Source.Name == "Atelier.Models");
            return http is not null && call is not null && grain is not null && model is not null;
        }, () => "the four spans of the click; seen: " + string.Join(", ", spans.Where(s => s.TraceId == traceId).Select(s => $"{s.Source.Name}:{s.Kind}:{s.DisplayName}")));

        Assert.Equal(ActivityKind.Server, http!.Kind);
        Assert.Equal("POST /v1/sessions/{id}/segment", http.DisplayName);
        Assert.Equal(front.Name, http.GetTagItem("atelier.silo"));
        Assert.Equal(id, http.GetTagItem("atelier.session.id"));
        Assert.Equal(200, http.GetTagItem("http.response.status_code"));

        Assert.Equal(http.SpanId, call!.ParentSpanId); // the grain call leaves the receiving silo inside the HTTP span

        Assert.Equal(call.SpanId, grain!.ParentSpanId); // and continues on the owner, across the silo-to-silo hop
        Assert.True(grain.HasRemoteParent);
        Assert.Equal(owner.Name, grain.GetTagItem("atelier.silo"));
        Assert.Equal(id, grain.GetTagItem("atelier.session.id"));

        Assert.Equal(grain.SpanId, model!.ParentSpanId);
        Assert.Equal("model decode", model.DisplayName);
        Assert.Equal("sam-demo", model.GetTagItem("atelier.model.id"));
        Assert.Equal(id, model.GetTagItem("atelier.session.id"));
        Assert.Equal(owner.Name, model.GetTagItem("atelier.silo"));
    }

    private static Task WaitUntilAsync(Func<bool> condition, string what) => WaitUntilAsync(condition, () => what);

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string> what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what()}");
            await Task.Delay(50);
        }
    }

    /// <summary>The silo host exactly as <c>Program</c> composes it, on free loopback ports, in cluster mode.</summary>
    private sealed class InProcessSilo : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly int _httpPort;

        private InProcessSilo(string name, WebApplication app, int httpPort)
        {
            Name = name;
            _app = app;
            _httpPort = httpPort;
        }

        public string Name { get; }

        public int ActiveSilos => _app.Services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members.Values
            .Count(m => m.Status == SiloStatus.Active);

        public static async Task<InProcessSilo> StartAsync(string name, (string Redis, string KeyPrefix) cluster)
        {
            var ports = RedisServerFixture.FreePorts(2);
            var builder = WebApplication.CreateBuilder();
            builder.Logging.ClearProviders();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["urls"] = $"http://127.0.0.1:{ports[0]}",
                ["Silo:Mode"] = "redis",
                ["Silo:Name"] = name,
                ["Security:RatePerSecond"] = "0",
                ["Sessions:DefaultModel"] = "sam-demo", // the spans named below are sam-demo's (the silo's default is sam-isnet)
                ["Cluster:Redis"] = cluster.Redis,
                ["Cluster:KeyPrefix"] = cluster.KeyPrefix,
                ["Cluster:SiloPort"] = ports[1].ToString(CultureInfo.InvariantCulture),
                ["Cluster:SiloBindAddress"] = "127.0.0.1",
                ["Cluster:AdvertisedHost"] = "127.0.0.1",
            });
            builder.AddAtelierSilo();
            var app = builder.Build();
            app.MapAtelierSilo();
            await app.StartAsync();
            return new InProcessSilo(name, app, ports[0]);
        }

        public HttpClient CreateClient() => new() { BaseAddress = new Uri($"http://127.0.0.1:{_httpPort}") };

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
