using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Atelier.Silo.Tests;

/// <summary>Starts the real <c>Atelier.Silo</c> executable, as the README's run command does.</summary>
public sealed class SiloProcessTests
{
    [Fact]
    public async Task Silo_process_serves_healthz_reads_ATELIER_environment_and_exits_cleanly_on_SIGTERM()
    {
        var port = FreePort();
        var silo = Path.Combine(AppContext.BaseDirectory, "Atelier.Silo.dll");
        var info = new ProcessStartInfo("dotnet", [silo])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.Environment["ATELIER__Urls"] = $"http://127.0.0.1:{port}";
        info.Environment["ATELIER__Silo__Name"] = "process-test";
        using var process = Process.Start(info)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        process.BeginOutputReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            using var response = await WaitForHealthAsync(client, process);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("process-test", Assert.Single(response.Headers.GetValues("X-Atelier-Silo")));

            // SIGTERM, as a process manager sends it: the host stops and exits with code 0.
            Assert.Equal(0, Kill(process.Id, 15));
            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(exited.Token);
            Assert.Equal(0, process.ExitCode);
            Assert.Contains(output, line => line.Contains("Silo process-test listening on", StringComparison.Ordinal));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task<HttpResponseMessage> WaitForHealthAsync(HttpClient client, Process process)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            Assert.False(process.HasExited, "the silo process exited before serving /healthz");
            try
            {
                return await client.GetAsync(new Uri("/healthz", UriKind.Relative), deadline.Token);
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100, deadline.Token);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
