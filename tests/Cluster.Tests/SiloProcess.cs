using System.Diagnostics;
using System.Globalization;

namespace Atelier.Cluster.Tests;

/// <summary>
/// A real <c>Atelier.Silo</c> process in cluster mode (<c>Silo:Mode=redis</c>) on free loopback ports, configured
/// through environment variables: the product's cluster settings (Orleans membership options included) unless the
/// test passes others. The silo is the one built with this project (project reference), next to the test assembly.
/// </summary>
internal sealed class SiloProcess : IDisposable
{
    private const int OutputTailLines = 60;
    private readonly Process _process;
    private readonly Queue<string> _output = new();

    private SiloProcess(string name, int httpPort, Process process)
    {
        Name = name;
        BaseAddress = new Uri($"http://127.0.0.1:{httpPort}");
        _process = process;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The silo's name (<c>Silo:Name</c>): what <c>X-Atelier-Silo</c> says when this silo executed a session's call.</summary>
    public string Name { get; }

    public Uri BaseAddress { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The last lines the process wrote (for failure messages).</summary>
    public string OutputTail
    {
        get
        {
            lock (_output)
            {
                return $"--- last output of silo {Name} ---\n" + string.Join('\n', _output);
            }
        }
    }

    /// <summary>
    /// Starts silo <paramref name="name"/> of the cluster <paramref name="keyPrefix"/> (also its Orleans cluster id) on
    /// <paramref name="redis"/>, with the test's <paramref name="settings"/> (environment variables) on top.
    /// </summary>
    public static SiloProcess Start(string name, string redis, string keyPrefix, IReadOnlyDictionary<string, string>? settings = null)
    {
        var ports = RedisServerFixture.FreePorts(2);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Atelier.Silo.dll"));
        var env = start.Environment;
        env["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ports[0]}";
        env["ATELIER__Silo__Mode"] = "redis";
        env["ATELIER__Silo__Name"] = name;
        env["ATELIER__Cluster__Redis"] = redis;
        env["ATELIER__Cluster__KeyPrefix"] = keyPrefix;
        env["ATELIER__Cluster__SiloPort"] = ports[1].ToString(CultureInfo.InvariantCulture);
        env["ATELIER__Cluster__SiloBindAddress"] = "127.0.0.1";
        env["ATELIER__Cluster__AdvertisedHost"] = "127.0.0.1";
        env["ATELIER__Security__RatePerSecond"] = "0";
        env["ATELIER__Sessions__DefaultModel"] = "sam-demo"; // generated pictures, no ISNet encode per open (silo default: sam-isnet)
        env["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            env[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("the silo did not start");
        return new SiloProcess(name, ports[0], process);
    }

    /// <summary><c>kill -9</c>: no drain, no membership update; the others must detect it. Returns once the process is gone.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM: the host's graceful shutdown (sessions migrate to the other silos).</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Waits for the process to exit, failing with its output tail after <paramref name="patience"/>.</summary>
    public async Task WaitForExitAsync(TimeSpan patience)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(patience);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"silo {Name} did not exit within {patience.TotalSeconds:0} s\n{OutputTail}");
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
            if (_output.Count > OutputTailLines)
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
