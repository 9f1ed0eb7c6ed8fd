using System.Net.Sockets;
using System.Text;
using Atelier.Bench.Infrastructure;

namespace Atelier.Bench.Tests;

/// <summary>The process helpers every benchmark uses, against a real redis-server and real silo processes.</summary>
public sealed class LoopbackProcessTests
{
    [Fact]
    public void Free_ports_are_distinct_and_can_be_bound()
    {
        var ports = LoopbackPorts.Free(4);

        Assert.Equal(4, ports.Distinct().Count());
        foreach (var port in ports)
        {
            using var listener = new TcpListener(System.Net.IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
        }
    }

    [Fact]
    public async Task Redis_server_answers_ping_until_disposed()
    {
        int port;
        await using (var redis = await RedisServer.StartAsync(CancellationToken.None))
        {
            port = redis.Port;
            Assert.Equal($"127.0.0.1:{port}", redis.ConnectionString);
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            Assert.Equal("+PONG\r\n", Encoding.ASCII.GetString(buffer, 0, read));
        }

        using var after = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => after.ConnectAsync("127.0.0.1", port));
    }

    [Fact]
    public async Task Silo_that_fails_at_start_reports_its_output()
    {
        var settings = new Dictionary<string, string> { ["ATELIER__Silo__Mode"] = "nonsense" };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => SiloProcess.StartAsync("broken", CacheRoot(), settings, CancellationToken.None));

        Assert.Contains("silo broken exited", error.Message, StringComparison.Ordinal);
        Assert.Contains("Silo:Mode must be 'embedded' or 'redis'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Silo_is_ready_when_started_and_exits_on_sigterm()
    {
        await using var silo = await SiloProcess.StartAsync("t1", CacheRoot(), new Dictionary<string, string>(), CancellationToken.None);
        using (var health = await silo.Http.GetAsync(new Uri("healthz", UriKind.Relative)))
        {
            Assert.True(health.IsSuccessStatusCode);
            Assert.Equal("t1", health.Headers.GetValues("X-Atelier-Silo").Single());
        }

        await silo.TerminateAsync(CancellationToken.None);

        await silo.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(silo.HasExited);
    }

    [Fact]
    public async Task Cluster_settings_form_one_cluster_and_a_killed_silo_leaves_it()
    {
        await using var redis = await RedisServer.StartAsync(CancellationToken.None);
        await using var a = await StartClusterSiloAsync(redis, "ca");
        await using var b = await StartClusterSiloAsync(redis, "cb");

        // Each wait returns only once every silo named lists exactly those silos as active (else it throws).
        await SiloProcess.WaitForClusterAsync([a, b], CancellationToken.None);
        b.Kill();
        await SiloProcess.WaitForClusterAsync([a], CancellationToken.None);

        string id, owner;
        try
        {
            (id, owner) = await SessionApi.OpenAsync(a.Http, DiskScene.Png(64, 48, 10), "image/png", model: null, CancellationToken.None);
        }
        catch (InvalidOperationException error)
        {
            throw new InvalidOperationException($"{error.Message}\nsilo ca:\n{a.OutputTail}", error);
        }

        Assert.Equal("ca", owner);
        Assert.Equal("ca", await SessionApi.GetAsync(a.Http, id, CancellationToken.None));
    }

    private static Task<SiloProcess> StartClusterSiloAsync(RedisServer redis, string name)
    {
        return SiloProcess.StartAsync(name, CacheRoot(), SiloProcess.ClusterSettings(redis, keyPrefix: "benchtests"), CancellationToken.None);
    }

    private static string CacheRoot() => new BenchContext(ResultsSchema.RepositoryRoot(), [], TextWriter.Null).CacheRoot;
}
