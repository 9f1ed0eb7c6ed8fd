using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Atelier.Silo.Tests.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Atelier.Silo.Tests.Observability;

/// <summary>
/// OTLP export to a real HTTP receiver (Kestrel on a free loopback port) speaking OTLP/HTTP protobuf. Not in
/// parallel with other tests: the OpenTelemetry SDK listens to every <c>Atelier.*</c> meter of the process (one silo
/// per process in production), and other test hosts' meters ending under it would end its shared metric streams.
/// </summary>
[Collection(Name)]
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OtlpExportTests
{
    public const string Name = "otlp (alone)";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Configured_endpoint_receives_atelier_metrics_and_spans_over_otlp_http()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var host = new ApiHost(ApiHost.Unlimited(
            ("Observability:Otlp:Endpoint", receiver.Address.ToString()),
            ("Observability:Otlp:Protocol", "http/protobuf"),
            ("Observability:Otlp:ExportIntervalMilliseconds", "250"),
            ("Silo:Name", "otlp-silo")));
        using var client = host.CreateClient();
        var id = await SessionFixture.OpenAsync(client, TestImages.Png(), "image/png");
        using (var segment = await client.PostAsync(new Uri($"/v1/sessions/{id}/segment", UriKind.Relative), MetricsEndpointTests.Json("{\"points\": [[48, 32]]}")))
        {
            Assert.Equal(HttpStatusCode.OK, segment.StatusCode);
        }

        // Protobuf carries names and string attributes as raw UTF-8, so they can be found in the bodies.
        await receiver.WaitForAsync("/v1/metrics", "atelier.http.server.requests", Patience);
        await receiver.WaitForAsync("/v1/metrics", "atelier.model.run.duration", Patience);
        await receiver.WaitForAsync("/v1/traces", "/v1/sessions/{id}/segment", Patience);
        await receiver.WaitForAsync("/v1/traces", "/Segment", Patience); // Orleans' grain call span (ISessionGrain.Segment)
        await receiver.WaitForAsync("/v1/traces", "otlp-silo", Patience); // service.instance.id and atelier.silo
        Assert.All(receiver.ContentTypes, t => Assert.Equal("application/x-protobuf", t));
    }

    [Fact]
    public async Task Invalid_otlp_settings_fail_at_start()
    {
        await using var host = new ApiHost(ApiHost.Unlimited(("Observability:Otlp:Endpoint", "http://127.0.0.1:1"), ("Observability:Otlp:Protocol", "carrier-pigeon")));
        var error = Assert.ThrowsAny<Exception>(() => host.CreateClient());
        Assert.Contains("Observability:Otlp:Protocol", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Answers every OTLP/HTTP export with an empty (valid) protobuf response and keeps the bodies.</summary>
    private sealed class OtlpReceiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();

        private OtlpReceiver(WebApplication app) => _app = app;

        public Uri Address { get; private set; } = null!;

        public ConcurrentQueue<string> ContentTypes { get; } = new();

        public static async Task<OtlpReceiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var receiver = new OtlpReceiver(app);
            app.MapPost("/v1/{signal}", async (HttpContext context) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body, context.RequestAborted);
                receiver.ContentTypes.Enqueue(context.Request.ContentType ?? "");
                receiver._received.Enqueue((context.Request.Path.Value!, body.ToArray()));
                context.Response.ContentType = "application/x-protobuf";
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            receiver.Address = new Uri(address);
            return receiver;
        }

        public async Task WaitForAsync(string path, string text, TimeSpan patience)
        {
            var needle = Encoding.UTF8.GetBytes(text);
            var deadline = DateTime.UtcNow + patience;
            while (!_received.Any(r => r.Path == path && r.Body.AsSpan().IndexOf(needle) >= 0))
            {
                Assert.True(DateTime.UtcNow < deadline,
                    $"no {path} export containing '{text}' within {patience}; received: {string.Join(", ", _received.Select(r => $"{r.Path} ({r.Body.Length} B)"))}");
                await Task.Delay(100);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
