using System.Diagnostics;
using System.Globalization;

namespace Atelier.Bench.Infrastructure;

/// <summary>
/// A real <c>Atelier.Silo</c> process on a free loopback port, configured through environment variables
/// (the approach of tests/Cluster.Tests/SiloProcess.cs). Embedded mode unless the settings say
/// <c>ATELIER__Silo__Mode=redis</c> (see <see cref="ClusterSettings"/>). The silo is the one built with the bench
/// (project reference, same configuration), next to the bench's own assembly.
/// </summary>
internal sealed partial class SiloProcess : IAsyncDisposable
{
    /// <summary>How long a silo may take to answer <c>/readyz</c> after its start: 120 s.</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);

    private const int OutputTailLines = 40;
    private readonly Process _process;
    private readonly Queue<string> _output = new();

    private SiloProcess(string name, int httpPort, Process process)
    {
        Name = name;
        HttpPort = httpPort;
        BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/");
        _process = process;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromMinutes(5),
        };
    }

    /// <summary>The silo's name (<c>Silo:Name</c>, the <c>X-Atelier-Silo</c> header of its answers).</summary>
    public string Name { get; }

    public int HttpPort { get; }

    /// <summary>The public HTTP address, <c>http://127.0.0.1:{port}/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>A client for this silo's public port (keep-alive connections, pooled).</summary>
    public HttpClient Http { get; }

    /// <summary>Whether the process has exited (killed, drained or crashed).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The silo's process id (for reading its resident set and open handles from /proc).</summary>
    public int ProcessId => _process.Id;

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

    /// <summary>
    /// Starts the silo with the bench defaults (rate limit off, warnings only, <c>ATELIER_HOME</c> =
    /// <paramref name="cacheRoot"/> when that folder exists) plus <paramref name="settings"/>, and waits until
    /// <c>/readyz</c> answers 200 (at most <see cref="ReadyTimeout"/>).
    /// </summary>
    public static async Task<SiloProcess> StartAsync(
        string name, string cacheRoot, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var silo = Path.Combine(AppContext.BaseDirectory, "Atelier.Silo.dll");
        if (!File.Exists(silo))
        {
            throw new InvalidOperationException($"{silo} not found: the bench project references src/Silo, rebuild it.");
        }

        var httpPort = LoopbackPorts.Free();
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
        if (Directory.Exists(cacheRoot))
        {
            environment["ATELIER_HOME"] = cacheRoot; // else the silo finds the nearest .atelier/ above it
        }

        environment["ATELIER__Silo__Name"] = name;
        environment["ATELIER__Security__RatePerSecond"] = "0";
        environment["ATELIER__Sessions__DefaultModel"] = "sam-demo"; // the benchmarks name sam-isnet where they measure it
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

    /// <summary><c>kill -9</c> of the process tree, without waiting for it (the caller times what follows).</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>Sends SIGTERM (a graceful stop: the silo drains) and returns once the signal is sent.</summary>
    public async Task TerminateAsync(CancellationToken cancellationToken)
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])
            ?? throw new InvalidOperationException("kill did not start");
        await kill.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -TERM {_process.Id} exited with {kill.ExitCode}");
        }
    }

    /// <summary>Completes when the process has exited.</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

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

    private Task WaitReadyAsync(CancellationToken cancellationToken) =>
        PollAsync(
            async token =>
            {
                using var response = await Http.GetAsync(new Uri("readyz", UriKind.Relative), token).ConfigureAwait(false);
                return response.IsSuccessStatusCode;
            },
            ReadyTimeout,
            () => "ready",
            cancellationToken);

    /// <summary>
    /// Calls <paramref name="probe"/> every 100 ms until it answers true (an <see cref="HttpRequestException"/> counts
    /// as not yet); throws with the process output if the process exits first or <paramref name="timeout"/> passes.
    /// </summary>
    private async Task PollAsync(Func<CancellationToken, Task<bool>> probe, TimeSpan timeout, Func<string> condition, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false); // its last output lines read
                throw new InvalidOperationException($"silo {Name} exited ({_process.ExitCode}) before it was {condition()}:\n{OutputTail}");
            }

            try
            {
                if (await probe(cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening (yet, or any more: the next turn sees the exit).
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"silo {Name} was not {condition()} within {timeout.TotalSeconds:0} s:\n{OutputTail}");
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
}
