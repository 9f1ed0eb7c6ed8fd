using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Atelier.Cluster.Tests;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, persistent (append-only file, fsync on every write, in a temp
/// folder), that a test can stop (<c>kill -9</c>: the file keeps everything written) and start again on the same port,
/// with its data or empty. Shared by the test collection (<see cref="RedisCollection"/>: every test isolates its cluster
/// with its own key prefix) or owned by one test that takes Redis down.
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime, IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("atelier-redis-").FullName;
    private readonly Queue<string> _output = new();
    private Process? _process;
    private ConnectionMultiplexer? _connection;
    private int _nextPrefix;

    public int Port { get; } = FreePort();

    /// <summary>The StackExchange.Redis configuration string the silos use.</summary>
    public string Configuration => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary>The same as <see cref="Configuration"/> (the name other test projects that link this file use).</summary>
    public string ConnectionString => Configuration;

    /// <summary>Whether the server process is running (not stopped by <see cref="StopAsync"/>).</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>A connection of the test itself (to read what the silos wrote); reconnects after a restart.</summary>
    public ConnectionMultiplexer Connection => _connection ?? throw new InvalidOperationException("redis-server is not started");

    /// <summary>A key prefix (and so an Orleans cluster id) no other test uses on this server.</summary>
    public string NewKeyPrefix() => NewPrefix("t");

    /// <summary>A key prefix starting with <paramref name="name"/> that no other test uses on this server.</summary>
    public string NewPrefix(string name) => string.Create(CultureInfo.InvariantCulture, $"{name}{Interlocked.Increment(ref _nextPrefix)}x{Environment.ProcessId}");

    public Task InitializeAsync() => StartAsync();

    /// <summary>Starts the server on <see cref="Port"/>; with <paramref name="empty"/> its data is deleted first (a Redis that lost everything).</summary>
    public async Task StartAsync(bool empty = false)
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("redis-server is already running");
        }

        if (empty)
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(_folder))
            {
                if (Directory.Exists(entry))
                {
                    Directory.Delete(entry, recursive: true);
                }
                else
                {
                    File.Delete(entry);
                }
            }
        }

        var start = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _folder,
            "--save", "", "--appendonly", "yes", "--appendfsync", "always",
        })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                _connection ??= await ConnectionMultiplexer.ConnectAsync(Configuration + ",abortConnect=false");
                await _connection.GetDatabase().PingAsync();
                return;
            }
            catch (RedisException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(100);
            }
            catch (RedisException e)
            {
                throw new InvalidOperationException($"redis-server on port {Port} did not answer: {OutputTail}", e);
            }
        }
    }

    /// <summary><c>kill -9</c>: every client loses its connection at once; the port stays free for <see cref="StartAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            await process.WaitForExitAsync();
            process.Dispose();
            _process = null;
        }
    }

    /// <summary>The last lines the server wrote (for failure messages).</summary>
    public string OutputTail
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.CloseAsync(allowCommandsToComplete: false);
            _connection.Dispose();
            _connection = null;
        }

        await StopAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder.
        }
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

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

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > 20)
            {
                _output.Dequeue();
            }
        }
    }
}

/// <summary>The collection every test of this project belongs to: one shared <see cref="RedisServerFixture"/>, tests one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>
{
    public const string Name = "redis";
}
