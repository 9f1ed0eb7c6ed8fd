using System.Diagnostics;
using System.Globalization;
using Atelier.Bench.Infrastructure;

namespace Atelier.Bench;

/// <summary>
/// Soak: one silo process under a mixed load for a long time — <c>sessions</c> client loops (default 32), each
/// opening a session on the photo (the shared truck.jpg, or a generated scene), clicking 4–12 times, erasing the
/// selection, clicking twice more, undoing and closing, then starting over — for <c>minutes</c> (default 10).
/// Every 10 s it reads the silo's resident set, open file handles and threads from /proc, and from the silo's
/// <c>/metrics</c> the GC's committed memory, the bytes the device memory manager accounts and the live sessions, so
/// that growth can be split into the managed heap and the rest (ONNX Runtime, codecs, native allocations). Reported: the growth of both from
/// the end of the warm-up (the first tenth of the run: model loads, pools, JIT) to the end (target &lt; 5 %), the
/// click p50/p99 per window of a tenth of the run (p99 stable: the last window's p99 within 1.5× of the first
/// window after warm-up), and the error count (target 0); writes bench/results/soak.md. Arguments: <c>minutes=10 sessions=32 model=sam-demo</c>.
/// </summary>
internal sealed class SoakBenchmark : IBenchmark
{
    private const int Windows = 10;

    public string Name => "soak";

    public string Description => "mixed load (open, clicks, erase, undo, close) on one silo for minutes: RSS and handle growth, p99 over time";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var options = BenchArguments.Parse(context.Arguments, Name, "minutes", "sessions", "model");
        var minutes = double.Parse(options.GetValueOrDefault("minutes", "10"), CultureInfo.InvariantCulture);
        var sessions = int.Parse(options.GetValueOrDefault("sessions", "32"), CultureInfo.InvariantCulture);
        var model = options.GetValueOrDefault("model", "sam-demo");
        var duration = TimeSpan.FromMinutes(minutes);
        var photo = Path.GetFullPath(Path.Combine(context.RepositoryRoot, "..", "shared", "testdata", "photos", "truck.jpg"));
        var (image, contentType, source, click) = File.Exists(photo)
            ? (await File.ReadAllBytesAsync(photo, cancellationToken).ConfigureAwait(false), "image/jpeg", "truck.jpg (1800x1200)", (X: 900f, Y: 700f))
            : (DiskScene.Png(640, 480, 10), "image/png", "generated 640x480 scene", (X: 320f, Y: 240f));

        await using var silo = await SiloProcess.StartAsync("soak", context.CacheRoot, new Dictionary<string, string>(), cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        var samples = new List<Sample>();
        var clicks = new List<(double At, double Ms)>();
        var operations = new Dictionary<string, int>(StringComparer.Ordinal);
        var errors = new List<string>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(duration);

        async Task SampleAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var sample = await ReadAsync(silo, clock.Elapsed.TotalSeconds, stop.Token).ConfigureAwait(false);
                lock (samples)
                {
                    samples.Add(sample);
                }

                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(10), stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        void Count(string operation)
        {
            lock (operations)
            {
                operations[operation] = operations.GetValueOrDefault(operation) + 1;
            }
        }

        async Task ClientAsync(int client)
        {
            var random = new Random(client);
            while (!stop.IsCancellationRequested)
            {
                string? id = null;
                try
                {
                    (id, _) = await SessionApi.OpenAsync(silo.Http, image, contentType, model, stop.Token).ConfigureAwait(false);
                    Count("open");
                    var count = random.Next(4, 13);
                    for (var i = 0; i < count + 2; i++)
                    {
                        if (i == count)
                        {
                            await SessionApi.SendAsync(silo.Http, HttpMethod.Post, $"v1/sessions/{id}/erase", "{\"dilate\":5}", "image/png", stop.Token).ConfigureAwait(false);
                            Count("erase");
                        }

                        var started = Stopwatch.GetTimestamp();
                        await SessionApi.SegmentAsync(silo.Http, id, click.X + random.Next(-40, 41), click.Y + random.Next(-40, 41), stop.Token).ConfigureAwait(false);
                        lock (clicks)
                        {
                            clicks.Add((clock.Elapsed.TotalSeconds, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
                        }

                        Count("click");
                    }

                    await SessionApi.SendAsync(silo.Http, HttpMethod.Post, $"v1/sessions/{id}/undo", null, null, stop.Token).ConfigureAwait(false);
                    Count("undo");
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }
                catch (Exception e)
                {
                    lock (errors)
                    {
                        errors.Add(e.Message);
                    }
                }
                finally
                {
                    if (id is not null)
                    {
                        try
                        {
                            await SessionApi.DeleteAsync(silo.Http, id, CancellationToken.None).ConfigureAwait(false);
                            Count("close");
                        }
                        catch (Exception e)
                        {
                            lock (errors)
                            {
                                errors.Add("close: " + e.Message);
                            }
                        }
                    }
                }
            }
        }

        context.Output.WriteLine($"Soak: {sessions} client loops for {minutes:0.#} min on {source}, model {model}.");
        var sampler = SampleAsync();
        await Task.WhenAll(Enumerable.Range(0, sessions).Select(ClientAsync)).ConfigureAwait(false);
        await sampler.ConfigureAwait(false);
        samples.Add(await ReadAsync(silo, clock.Elapsed.TotalSeconds, cancellationToken).ConfigureAwait(false));

        var warmup = duration.TotalSeconds / Windows;
        var first = samples.First(s => s.At >= warmup);
        var last = samples[^1];
        var rssGrowth = Growth(first.Rss, last.Rss);
        var handleGrowth = Growth(first.Handles, last.Handles);

        var output = new StringWriter(CultureInfo.InvariantCulture);
        output.WriteLine($"# Soak: {sessions} sessions for {minutes:0.#} min ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        output.WriteLine();
        output.WriteLine($"- Command: `dotnet run -c Release --project bench/Bench -- soak {string.Join(' ', context.Arguments)}`".TrimEnd());
        output.WriteLine($"- One silo process (defaults), model {model}, image {source}, {Environment.ProcessorCount} cores; readings every 10 s; growth from the end of the warm-up (first tenth) to the end");
        output.WriteLine("- GC committed / GC heap: the GC's committed memory and its heap size after the last collection (the silo's /metrics); RSS − GC committed: everything else (ONNX Runtime, codecs, native buffers, runtime)");
        output.WriteLine();
        output.WriteLine("| window (s) | clicks | p50 ms | p99 ms | RSS MB at end | GC committed MB | GC heap MB | gen2 GCs | RSS − GC committed MB | accounted tensors MB | live sessions | threads |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var windowP99 = new List<double>();
        for (var w = 0; w < Windows; w++)
        {
            double from = w * warmup, to = (w + 1) * warmup;
            var window = clicks.Where(c => c.At >= from && c.At < to).Select(c => c.Ms).ToArray();
            if (window.Length == 0)
            {
                continue;
            }

            var stats = Stats.Of(window);
            if (w > 0)
            {
                windowP99.Add(stats.P99);
            }

            var sample = samples.LastOrDefault(s => s.At < to, samples[0]);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {from:0}–{to:0}{(w == 0 ? " (warm-up)" : "")} | {window.Length} | {stats.Median:0.0} | {stats.P99:0.0} | {sample.Rss / 1e6:0} | {sample.GcCommitted / 1e6:0} | {sample.GcHeap / 1e6:0} | {sample.Gen2Collections} | {(sample.Rss - sample.GcCommitted) / 1e6:0} | {sample.Accounted / 1e6:0} | {sample.Sessions} | {sample.Threads} |"));
        }

        var p99Drift = windowP99.Count > 1 ? windowP99[^1] / windowP99[0] : double.NaN;
        output.WriteLine();
        output.WriteLine("| measure | after warm-up | end | growth | target | met |");
        output.WriteLine("|---|---:|---:|---:|---|:---:|");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| resident set (MB) | {first.Rss / 1e6:0.0} | {last.Rss / 1e6:0.0} | {rssGrowth * 100:+0.0;-0.0} % | < 5 % | {(rssGrowth < 0.05 ? "yes" : "**no**")} |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| of which GC committed (MB) | {first.GcCommitted / 1e6:0.0} | {last.GcCommitted / 1e6:0.0} | {Growth(first.GcCommitted, last.GcCommitted) * 100:+0.0;-0.0} % | | |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| of which the rest (RSS − GC committed, MB) | {(first.Rss - first.GcCommitted) / 1e6:0.0} | {(last.Rss - last.GcCommitted) / 1e6:0.0} | {Growth(first.Rss - first.GcCommitted, last.Rss - last.GcCommitted) * 100:+0.0;-0.0} % | | |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| open handles | {first.Handles} | {last.Handles} | {handleGrowth * 100:+0.0;-0.0} % | < 5 % | {(handleGrowth < 0.05 ? "yes" : "**no**")} |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| click p99, last window / first after warm-up | | | {p99Drift:0.00} × | ≤ 1.5 × | {(p99Drift <= 1.5 ? "yes" : "**no**")} |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| errors | | {errors.Count} | | 0 | {(errors.Count == 0 ? "yes" : "**no**")} |"));
        output.WriteLine();
        output.WriteLine($"Operations: {string.Join(", ", operations.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}"))}.");
        foreach (var error in errors.Distinct().Take(5))
        {
            output.WriteLine($"Error: {error}");
        }

        var text = output.ToString();
        context.Output.Write(text);
        var file = Path.Combine(context.RepositoryRoot, "bench", "results", "soak.md");
        await File.WriteAllTextAsync(file, text, cancellationToken).ConfigureAwait(false);
        context.Output.WriteLine($"Wrote {Path.GetRelativePath(context.RepositoryRoot, file)}");
    }

    private static double Growth(double from, double to) => (to - from) / from;

    /// <summary>One reading of the silo: /proc, then its /metrics (the GC's committed bytes and heap size after the
    /// last collection, gen2 collections so far, the device memory manager's accounted bytes, live sessions).</summary>
    private static async Task<Sample> ReadAsync(SiloProcess silo, double at, CancellationToken cancellationToken)
    {
        var (rss, handles, threads) = (ResidentBytes(silo.ProcessId), Handles(silo.ProcessId), Threads(silo.ProcessId));
        var metrics = await PrometheusText.ScrapeAsync(silo.Http, cancellationToken).ConfigureAwait(false);
        return new Sample(
            at,
            rss,
            handles,
            threads,
            (long)PrometheusText.Sum(metrics, "dotnet_gc_last_collection_memory_committed_size_bytes"),
            (long)PrometheusText.Sum(metrics, "dotnet_gc_last_collection_heap_size_bytes"),
            (int)PrometheusText.Sum(metrics.Where(m => m.Labels.Contains("gen2", StringComparison.Ordinal)), "dotnet_gc_collections_total"),
            (long)PrometheusText.Sum(metrics, "atelier_device_memory_usage_bytes"),
            (int)PrometheusText.Sum(metrics, "atelier_sessions_active"));
    }

    private readonly record struct Sample(double At, long Rss, int Handles, int Threads, long GcCommitted, long GcHeap, int Gen2Collections, long Accounted, int Sessions);

    /// <summary>VmRSS of a process, from /proc/{pid}/status.</summary>
    private static long ResidentBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kilobytes = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"/proc/{pid}/status has no VmRSS");
    }

    /// <summary>Threads of a process, from /proc/{pid}/status.</summary>
    private static int Threads(int pid) =>
        int.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Threads:", StringComparison.Ordinal))["Threads:".Length..].Trim(), CultureInfo.InvariantCulture);

    /// <summary>Open file descriptors (files, sockets, pipes) of a process.</summary>
    private static int Handles(int pid) => Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;
}
