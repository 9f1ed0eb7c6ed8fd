using System.Diagnostics;
using System.Globalization;

namespace Atelier.Cluster.Tests;

/// <summary>A real <c>Atelier.Silo</c> process in cluster mode (<c>Silo:Mode = redis</c>), configured through environment variables.</summary>
internal sealed class SiloProcess : IDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _output = new();

    private SiloProcess(string name, int httpPort, Process process)
    {
        Name = name;
        HttpPort = httpPort;
        _process = process;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The last lines the process wrote (for failure messages).</summary>
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

    public string Name { get; }

    public int HttpPort { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{HttpPort}");

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static SiloProcess Start(string name, ClusterOptions cluster, IReadOnlyDictionary<string, string>? environment = null)
    {
        var ports = RedisServerFixture.FreePorts(2);
        var (httpPort, siloPort) = (ports[0], ports[1]);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Atelier.Silo.dll"));
        var env = start.Environment;
        env["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}";
        env["ATELIER__Silo__Mode"] = "redis";
        env["ATELIER__Silo__Name"] = name;
        env["ATELIER__Cluster__Redis"] = cluster.Redis;
        env["ATELIER__Cluster__KeyPrefix"] = cluster.KeyPrefix;
        env["ATELIER__Cluster__SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture);
        env["ATELIER__Cluster__SiloBindAddress"] = "127.0.0.1";
        env["ATELIER__Cluster__AdvertisedHost"] = "127.0.0.1";
        env["ATELIER__Cluster__HeartbeatPeriod"] = cluster.HeartbeatPeriod.ToString("c", CultureInfo.InvariantCulture);
        env["ATELIER__Cluster__TableRefreshPeriod"] = cluster.TableRefreshPeriod.ToString("c", CultureInfo.InvariantCulture);
        env["ATELIER__Cluster__MissedHeartbeatsLimit"] = cluster.MissedHeartbeatsLimit.ToString(CultureInfo.InvariantCulture);
        env["ATELIER__Cluster__ProbePeriod"] = cluster.ProbePeriod.ToString("c", CultureInfo.InvariantCulture);
        env["ATELIER__Cluster__ProbeTimeout"] = cluster.ProbeTimeout.ToString("c", CultureInfo.InvariantCulture);
        env["ATELIER__Cluster__MissedProbesLimit"] = cluster.MissedProbesLimit.ToString(CultureInfo.InvariantCulture);
        env["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            env[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("the silo did not start");
        return new SiloProcess(name, httpPort, process);
    }

    /// <summary>kill -9: no drain, no membership update.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM: the host's graceful shutdown.</summary>
    public void Terminate() => Signal("-TERM");

    /// <summary>SIGSTOP / SIGCONT: the process freezes (no heartbeats, no answers) and later resumes, as after a long pause.</summary>
    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", [signal, _process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public Task WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync().WaitAsync(timeout);

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > 40)
            {
                _output.Dequeue();
            }
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
