using System.Net;
using System.Net.Sockets;
using Atelier.Silo.Tests.Http;

namespace Atelier.Cli.Tests;

/// <summary>The real silo on a real Kestrel listener on a free loopback port.</summary>
public sealed class KestrelSilo : IAsyncLifetime
{
    private readonly ApiHost _host = new(ApiHost.Unlimited());

    public string Url { get; private set; } = "";

    public Task InitializeAsync()
    {
        var port = FreePort();
        _host.UseKestrel(port);
        _host.StartServer();
        Url = $"http://127.0.0.1:{port}";
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
