using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace Atelier.Cluster.Tests;

/// <summary>
/// A redis-server of one test, on a fixed free loopback port, that the test can kill and start again on the same
/// port: persistent (append-only file, fsync on every write, in a temp folder) and password-protected.
/// </summary>
internal sealed class RedisProcess : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("atelier-redis-").FullName;
    private Process? _process;

    public RedisProcess(string password)
    {
        Password = password;
        Port = RedisServerFixture.FreePort();
    }

    public int Port { get; }

    public string Password { get; }

    /// <summary>The StackExchange.Redis configuration string silos use (with the password).</summary>
    public string Configuration => $"127.0.0.1:{Port},password={Password}";

    /// <summary>Starts the server; with <paramref name="empty"/> its data files are deleted first (a Redis that lost everything).</summary>
    public async Task StartAsync(bool empty = false)
    {
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
            "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--requirepass", Password,
            "--dir", _folder, "--save", "", "--appendonly", "yes", "--appendfsync", "always",
        })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                using var probe = await ConnectionMultiplexer.ConnectAsync(Configuration);
                await probe.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>kill -9: every client loses its connection at once (the append-only file keeps what was written).</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            process.WaitForExit();
        }

        _process?.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder.
        }
    }
}
