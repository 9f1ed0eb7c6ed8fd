using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Atelier.Silo.Grpc;
using Atelier.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Atelier.Grpc.Tests.Support;

/// <summary>
/// The real silo, composed exactly as <c>Program</c> composes it, on real Kestrel sockets: its HTTP URL and its
/// HTTP/2-only gRPC port, both free loopback ports. Settings are passed as command-line configuration.
/// </summary>
public sealed class GrpcSilo : IAsyncLifetime
{
    private readonly (string Key, string? Value)[] _settings;
    private WebApplication? _app;

    public GrpcSilo() : this([])
    {
    }

    internal GrpcSilo(params (string Key, string? Value)[] settings)
    {
        GrpcPort = FreePort();
        HttpPort = FreePort();
        _settings = settings;
    }

    public int GrpcPort { get; }

    public int HttpPort { get; }

    public Uri GrpcUri => new($"http://127.0.0.1:{GrpcPort}/");

    public Uri HttpUri => new($"http://127.0.0.1:{HttpPort}/");

    public IServiceProvider Services => _app!.Services;

    internal GrpcCallTracker Tracker => Services.GetRequiredService<GrpcCallTracker>();

    /// <summary>What Kestrel listens on.</summary>
    public ICollection<string> Addresses => Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = $"http://127.0.0.1:{HttpPort}",
            ["Grpc:Port"] = GrpcPort.ToString(CultureInfo.InvariantCulture),
            ["Silo:Name"] = "test-silo",
            ["Security:RatePerSecond"] = "0",
            ["Sessions:DefaultModel"] = "sam-demo", // generated pictures, no ISNet encode per open (silo default: sam-isnet)
        };
        foreach (var (key, value) in _settings)
        {
            settings[key] = value;
        }

        var args = settings.Where(s => s.Value is not null).Select(s => $"--{s.Key}={s.Value}").ToArray();
        var builder = WebApplication.CreateBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddAtelierSilo();
        _app = builder.Build();
        _app.MapAtelierSilo();
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>An HttpClient that speaks HTTP/2 with prior knowledge to the gRPC port.</summary>
    public HttpClient CreateGrpcHttpClient() => new()
    {
        BaseAddress = GrpcUri,
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromMinutes(2),
    };

    /// <summary>Waits until no gRPC call is running on the server (generous deadline; the server decides when).</summary>
    public async Task WaitForNoActiveCallsAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (Tracker.Active > 0)
        {
            await Task.Delay(20, deadline.Token);
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
