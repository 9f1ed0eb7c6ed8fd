using Grpc.Core;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Atelier.Client;
using Atelier.Client.Grpc;
using Atelier.Grpc.Tests.Support;
using Atelier.Silo.Tests.Http;

namespace Atelier.Grpc.Tests;

/// <summary>
/// Cluster mode (<c>Silo:Mode=redis</c>, a real redis-server on a free loopback port): Kestrel serves the public URL and
/// the gRPC port, and Orleans listens on its own silo port next to them.
/// </summary>
public sealed class ClusterModeTests : IAsyncLifetime
{
    private readonly int _redisPort = GrpcSilo.FreePort();
    private readonly int _siloPort = GrpcSilo.FreePort();
    private Process? _redis;
    private GrpcSilo? _silo;

    public async Task InitializeAsync()
    {
        var start = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--port", _redisPort.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            start.ArgumentList.Add(argument);
        }

        _redis = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        _redis.OutputDataReceived += (_, _) => { };
        _redis.ErrorDataReceived += (_, _) => { };
        _redis.BeginOutputReadLine();
        _redis.BeginErrorReadLine();
        await WaitForPortAsync(_redisPort);

        _silo = new GrpcSilo(
            ("Silo:Mode", "redis"),
            ("Cluster:Redis", $"127.0.0.1:{_redisPort}"),
            ("Cluster:KeyPrefix", "grpc-test-" + Guid.NewGuid().ToString("N")),
            ("Cluster:SiloPort", _siloPort.ToString(CultureInfo.InvariantCulture)),
            ("Cluster:SiloBindAddress", "127.0.0.1"),
            ("Cluster:AdvertisedHost", "127.0.0.1"));
        await _silo.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        if (_redis is { HasExited: false })
        {
            _redis.Kill();
            await _redis.WaitForExitAsync();
        }

        _redis?.Dispose();
    }

    [Fact]
    public async Task Grpc_is_served_next_to_the_public_url_while_orleans_owns_the_silo_port()
    {
        var silo = _silo!;
        using var grpc = new GrpcAtelierClient(silo.GrpcUri);
        using var http = new HttpClient { BaseAddress = silo.HttpUri };
        using var image = new MemoryStream(TestImages.Png(96, 64));

        var session = await grpc.OpenSessionAsync(image, "image/png");
        var mask = await grpc.SegmentAsync(session.Id, SegmentPrompt.At(new PromptPoint(48, 32)));
        using var health = await http.GetAsync(new Uri("healthz", UriKind.Relative));

        Assert.Equal(new[] { silo.HttpPort, silo.GrpcPort }.Order(), silo.Addresses.Select(a => new Uri(a).Port).Order()); // Kestrel's
        using (var orleans = new TcpClient())
        {
            await orleans.ConnectAsync(IPAddress.Loopback, _siloPort); // Orleans' silo-to-silo listener
        }

        Assert.True(await grpc.IsReadyAsync());
        Assert.Equal((96, 64), (session.Width, session.Height));
        Assert.NotEmpty(mask.Png);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private static async Task WaitForPortAsync(int port)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, deadline.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, deadline.Token);
            }
        }
    }
}
