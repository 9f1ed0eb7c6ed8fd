using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Atelier.Cluster;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Atelier.Cluster.Tests;

/// <summary>A real <c>redis-server</c> on a free loopback port, started once for the test collection and stopped after.</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private Process? _process;
    private int _nextPrefix;

    public int Port { get; private set; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Port = FreePort();
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                Connection = await ConnectionMultiplexer.ConnectAsync(ConnectionString);
                await Connection.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (Connection is not null)
        {
            await Connection.CloseAsync();
            Connection.Dispose();
        }

        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }

    /// <summary>Options with a key prefix unique to the caller, so tests sharing the server never see each other's keys.</summary>
    public ClusterOptions NewOptions(string siloName = "test")
    {
        var options = new ClusterOptions
        {
            Redis = ConnectionString,
            KeyPrefix = $"t{Interlocked.Increment(ref _nextPrefix)}",
            SiloName = siloName,
            HeartbeatPeriod = TimeSpan.FromMilliseconds(100),
            TableRefreshPeriod = TimeSpan.FromMilliseconds(100),
            // Tolerant enough that a loaded 2-core CI machine (GC, thread-pool stalls) never looks like a dead silo;
            // still declares a silo that really stopped dead within about 2 s.
            MissedHeartbeatsLimit = 20,
        };
        return options;
    }

    public RedisMembership NewMembership(ClusterOptions options) =>
        new(Connection, Options.Create(options), NullLogger<RedisMembership>.Instance);

    public static int FreePort() => FreePorts(1)[0];

    /// <summary>Distinct free loopback ports: all listeners are held open until every port is chosen.</summary>
    public static int[] FreePorts(int count)
    {
        var listeners = new TcpListener[count];
        try
        {
            for (var i = 0; i < count; i++)
            {
                listeners[i] = new TcpListener(IPAddress.Loopback, 0);
                listeners[i].Start();
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener?.Stop();
                listener?.Dispose();
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>
{
    public const string Name = "redis";
}
