using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Atelier.Bench.Suite;

/// <summary>
/// A real <c>Atelier.Silo</c> process on free loopback ports, configured through environment variables
/// (the approach of tests/Cluster.Tests/SiloProcess.cs). Embedded mode unless the settings say
/// <c>ATELIER__Silo__Mode=redis</c>. The Release silo is built with the bench (project reference).
/// </summary>
internal sealed class SiloProcess : IAsyncDisposable
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
        Http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/"),
            Timeout = TimeSpan.FromMinutes(5),
        };
    }

    public string Name { get; }

    public int HttpPort { get; }

    /// <summary>A client for this silo's public port (keep-alive connections, pooled).</summary>
    public HttpClient Http { get; }

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

    /// <summary>Starts the silo and waits until <c>/readyz</c> answers 200 (at most 120 s).</summary>
    public static async Task<SiloProcess> StartAsync(
        string name, string cacheRoot, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var silo = Path.Combine(AppContext.BaseDirectory, "Atelier.Silo.dll");
        if (!File.Exists(silo))
        {
            throw new InvalidOperationException($"{silo} not found: the bench project references src/Silo, rebuild it.");
        }

        var httpPort = FreePorts(1)[0];
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(silo);
        var environment = start.Environment;
        environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}";
        environment["ATELIER_HOME"] = cacheRoot;
        environment["ATELIER__Silo__Name"] = name;
        environment["ATELIER__Security__RatePerSecond"] = "0";
        environment["Logging__LogLevel__Default"] = "Warning";
        environment["ATELIER__Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("the silo did not start");
        var result = new SiloProcess(name, httpPort, process);
        try
        {
            await result.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await result.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return result;
    }

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

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        _process.Dispose();
    }

    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"silo {Name} exited at start ({_process.ExitCode}):\n{OutputTail}");
            }

            try
            {
                using var response = await Http.GetAsync(new Uri("readyz", UriKind.Relative), cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"silo {Name} was not ready within 120 s:\n{OutputTail}");
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
            if (_output.Count > 40)
            {
                _output.Dequeue();
            }
        }
    }
}
