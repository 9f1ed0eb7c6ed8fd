using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Atelier.Imaging;

namespace Atelier.Bench;

/// <summary>
/// HTTP API round trips against a real silo process over loopback, side by side in one run:
/// the HTTP floor (<c>/healthz</c>), a grain read through HTTP (session info), and a click (segment)
/// answered as PNG and as JSON. Needs the Release silo: <c>dotnet build -c Release src/Silo</c>.
/// </summary>
internal sealed class HttpBenchmark : IBenchmark
{
    private const int Rounds = 5;
    private const int CallsPerRound = 40;

    public string Name => "http";

    public string Description => "HTTP API on a silo process (loopback): healthz vs session info vs segment (PNG / JSON answer), median per call";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var silo = Path.Combine(context.RepositoryRoot, "src", "Silo", "bin", "Release", "net10.0", "Atelier.Silo.dll");
        if (!File.Exists(silo))
        {
            await context.Output.WriteLineAsync($"skipped: {silo} not found; run `dotnet build -c Release src/Silo` first.").ConfigureAwait(false);
            return;
        }

        var port = FreePort();
        var info = new ProcessStartInfo("dotnet", [silo]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["ATELIER__Urls"] = $"http://127.0.0.1:{port}";
        info.Environment["ATELIER__Security__RatePerSecond"] = "0";
        info.Environment["ATELIER__Logging__LogLevel__Default"] = "Warning";
        info.Environment["ATELIER_HOME"] = context.CacheRoot;
        using var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            await WaitForHealthAsync(http, process, cancellationToken).ConfigureAwait(false);
            var id = await OpenAsync(http, cancellationToken).ConfigureAwait(false);

            (string Name, Func<Task> Call)[] candidates =
            [
                ("GET /healthz (HTTP floor)", () => SendAsync(http, HttpMethod.Get, "healthz", null, null, cancellationToken)),
                ("GET /v1/sessions/{id} (grain read)", () => SendAsync(http, HttpMethod.Get, $"v1/sessions/{id}", null, null, cancellationToken)),
                ("POST segment -> image/png", () => SendAsync(http, HttpMethod.Post, $"v1/sessions/{id}/segment", "{\"points\":[[512,384]]}", "image/png", cancellationToken)),
                ("POST segment -> JSON (RLE)", () => SendAsync(http, HttpMethod.Post, $"v1/sessions/{id}/segment", "{\"points\":[[512,384]]}", "application/json", cancellationToken)),
            ];

            var samples = new List<double>[candidates.Length];
            for (var c = 0; c < candidates.Length; c++)
            {
                samples[c] = [];
                for (var i = 0; i < 10; i++)
                {
                    await candidates[c].Call().ConfigureAwait(false);
                }
            }

            // Alternate candidates round by round so drift hits all of them alike.
            for (var round = 0; round < Rounds; round++)
            {
                for (var c = 0; c < candidates.Length; c++)
                {
                    for (var i = 0; i < CallsPerRound; i++)
                    {
                        var start = Stopwatch.GetTimestamp();
                        await candidates[c].Call().ConfigureAwait(false);
                        samples[c].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    }
                }
            }

            var floor = BenchContext.Median([.. samples[0]]);
            await context.Output.WriteLineAsync($"1024x768 PNG session on sam-demo, {Rounds} rounds x {CallsPerRound} calls per candidate, sequential, one keep-alive connection").ConfigureAwait(false);
            await context.Output.WriteLineAsync("| call | median ms | p90 ms | ratio to /healthz |").ConfigureAwait(false);
            await context.Output.WriteLineAsync("| --- | ---: | ---: | ---: |").ConfigureAwait(false);
            for (var c = 0; c < candidates.Length; c++)
            {
                var sorted = samples[c].Order().ToArray();
                var median = BenchContext.Median([.. sorted]);
                var p90 = sorted[(int)(sorted.Length * 0.9)];
                await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"| {candidates[c].Name} | {median:0.000} | {p90:0.000} | {median / floor:0.0}x |")).ConfigureAwait(false);
            }

            await SendAsync(http, HttpMethod.Delete, $"v1/sessions/{id}", null, null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private static async Task<string> OpenAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using var image = new RgbImage(1024, 768);
        for (var y = 0; y < image.Height; y++)
        {
            var row = image.Row(y);
            for (var x = 0; x < image.Width; x++)
            {
                var inside = ((x - 512) * (x - 512)) + ((y - 384) * (y - 384)) < 150 * 150;
                row[x * 3] = inside ? (byte)220 : (byte)(30 + (x % 9));
                row[(x * 3) + 1] = inside ? (byte)190 : (byte)(40 + (y % 7));
                row[(x * 3) + 2] = inside ? (byte)60 : (byte)50;
            }
        }

        using var content = new ByteArrayContent(PngEncoder.Encode(image));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        using var response = await http.PostAsync(new Uri("v1/sessions", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"open failed: {(int)response.StatusCode} {body}");
        }

        using var json = System.Text.Json.JsonDocument.Parse(body);
        return json.RootElement.GetProperty("id").GetString()!;
    }

    private static async Task SendAsync(HttpClient http, HttpMethod method, string path, string? json, string? accept, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (accept is not null)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        }

        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
        }
    }

    private static async Task WaitForHealthAsync(HttpClient http, Process process, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("the silo process exited at start");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("readyz", UriKind.Relative), cancellationToken).ConfigureAwait(false);
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

        throw new TimeoutException("the silo did not become ready within 60 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
