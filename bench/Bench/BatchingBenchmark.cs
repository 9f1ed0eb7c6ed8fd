using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Atelier.Bench.Infrastructure;
using Atelier.Bench.Suite;
using Atelier.Imaging;
using Atelier.Models.Adapters;
using Atelier.Models.Forge;
using Atelier.Models.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atelier.Bench;

/// <summary>
/// Dynamic batching: the closed-loop click load of the suite's P5 (each session clicks, waits for the PNG, clicks again)
/// on <c>sam-demo-batch</c> (decoder <c>maxBatch</c> 8), against two silo processes started side by side: one with
/// batching (the defaults) and one with <c>Models:Host:MaxBatch=1</c>. Each level (default 1, 8, 64 sessions) runs on both,
/// alternating which goes first, <c>rounds</c> times (default 2); reported per level: clicks/s, p50, p99 and the mean
/// batch (clicks per decoder run, from <c>/v1/models</c>), the median over rounds, and the ratio batched / unbatched.
/// Arguments: <c>levels=1,8,64 seconds=8 rounds=2 delayMs=0</c> (<c>delayMs</c>: <c>Models:Host:BatchQueueDelay</c> of the
/// batching silo). Writes bench/results/batching.md.
/// </summary>
internal sealed class BatchingBenchmark : IBenchmark
{
    private const string Model = DemoModelForge.SamDemoBatchId;

    public string Name => "batching";

    public string Description => "clicks/s with and without dynamic batching at 1, 8, 64 sessions (sam-demo-batch, two silo processes)";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var options = BenchArguments.Parse(context.Arguments, Name, "levels", "seconds", "rounds", "delayMs");
        int[] levels = [.. options.GetValueOrDefault("levels", "1,8,64").Split(',').Select(l => int.Parse(l, CultureInfo.InvariantCulture))];
        var seconds = double.Parse(options.GetValueOrDefault("seconds", "8"), CultureInfo.InvariantCulture);
        var rounds = int.Parse(options.GetValueOrDefault("rounds", "2"), CultureInfo.InvariantCulture);
        var delayMs = int.Parse(options.GetValueOrDefault("delayMs", "0"), CultureInfo.InvariantCulture);
        var photo = Path.GetFullPath(Path.Combine(context.RepositoryRoot, "..", "shared", "testdata", "photos", "truck.jpg"));
        var (image, contentType, source, x, y) = File.Exists(photo)
            ? (await File.ReadAllBytesAsync(photo, cancellationToken).ConfigureAwait(false), "image/jpeg", "truck.jpg (1800x1200)", 900f, 700f)
            : (DiskScene.Png(640, 480, 10), "image/png", "generated 640x480 scene", 320f, 240f);

        var raw = await MeasureRawAsync(context, image, x, y, cancellationToken).ConfigureAwait(false);
        var delay = TimeSpan.FromMilliseconds(delayMs).ToString("c", CultureInfo.InvariantCulture);
        await using var batched = await SiloProcess.StartAsync(
            "batched", context.CacheRoot, new Dictionary<string, string> { ["Models:Host:BatchQueueDelay"] = delay }, cancellationToken).ConfigureAwait(false);
        await using var unbatched = await SiloProcess.StartAsync(
            "unbatched", context.CacheRoot, new Dictionary<string, string> { ["Models:Host:MaxBatch"] = "1" }, cancellationToken).ConfigureAwait(false);
        var sessions = new Dictionary<SiloProcess, string[]>();
        foreach (var silo in new[] { batched, unbatched })
        {
            var ids = new string[levels.Max()];
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = (await SessionApi.OpenAsync(silo.Http, image, contentType, Model, cancellationToken).ConfigureAwait(false)).Id;
            }

            sessions[silo] = ids;
        }

        var results = new Dictionary<(int Level, bool Batched), List<Row>>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var level in levels)
            {
                var order = (round + level) % 2 == 0 ? new[] { batched, unbatched } : [unbatched, batched];
                foreach (var silo in order)
                {
                    var isBatched = silo == batched;
                    context.Output.WriteLine($"  round {round + 1}, {level} session(s), {(isBatched ? "batched" : "unbatched")}");
                    var runsBefore = await DecodeRunsAsync(silo, cancellationToken).ConfigureAwait(false);
                    var (throughput, latency, clicks) = await P5Concurrency.RunLevelAsync(silo, sessions[silo].AsMemory(0, level), x, y, seconds, cancellationToken).ConfigureAwait(false);
                    var runs = await DecodeRunsAsync(silo, cancellationToken).ConfigureAwait(false) - runsBefore;
                    results.TryAdd((level, isBatched), []);
                    results[(level, isBatched)].Add(new Row(throughput, latency.Median, latency.P99, runs, clicks));
                }
            }
        }

        var output = new StringWriter(CultureInfo.InvariantCulture);
        output.WriteLine($"# Dynamic batching: clicks/s with and without ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        output.WriteLine();
        output.WriteLine($"- Command: `dotnet run -c Release --project bench/Bench -- batching {string.Join(' ', context.Arguments)}`".TrimEnd());
        output.WriteLine($"- Model: {Model} (decoder maxBatch {DemoModelForge.SamDemoBatchMaxBatch}); image: {source}; {Environment.ProcessorCount} cores; each level {seconds:0.#} s after a 3 s warm-up, {rounds} round(s), order alternating");
        output.WriteLine($"- Batched silo: defaults (Models:Host:MaxConcurrentRuns 2, BatchQueueDelay {delayMs} ms); unbatched silo: Models:Host:MaxBatch=1");
        output.WriteLine();
        output.WriteLine("| sessions | unbatched clicks/s | batched clicks/s | batched / unbatched | unbatched p50 / p99 ms | batched p50 / p99 ms | mean batch |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var level in levels)
        {
            var off = Median(results[(level, false)]);
            var on = Median(results[(level, true)]);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {level} | {off.Throughput:0.0} | {on.Throughput:0.0} | {on.Throughput / off.Throughput:0.00} × | {off.P50:0} / {off.P99:0} | {on.P50:0} / {on.P99:0} | {on.MeanBatch:0.0} |"));
        }

        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Raw decoder in-process (global pool of {Environment.ProcessorCount} threads, no silo): {DemoModelForge.SamDemoBatchMaxBatch} single runs {raw.Singles:0.0} ms, one batch of {DemoModelForge.SamDemoBatchMaxBatch} {raw.Batch:0.0} ms: the batch takes {raw.Batch / raw.Singles:0.00} × the time (median of {RawRounds} interleaved rounds; the batch includes gathering the embeddings into one tensor)."));
        output.WriteLine();
        output.WriteLine("Each row: the median over rounds of each figure. Mean batch: clicks completed in the window per decoder run (warm-up included).");
        var text = output.ToString();
        context.Output.Write(text);
        var file = Path.Combine(context.RepositoryRoot, "bench", "results", "batching.md");
        await File.WriteAllTextAsync(file, text, cancellationToken).ConfigureAwait(false);
        context.Output.WriteLine($"Wrote {Path.GetRelativePath(context.RepositoryRoot, file)}");
    }

    private const int RawRounds = 8;

    /// <summary>In-process: <c>maxBatch</c> single decoder runs against one batched run of as many requests, interleaved.</summary>
    private static async Task<(double Singles, double Batch)> MeasureRawAsync(BenchContext context, byte[] upload, float x, float y, CancellationToken cancellationToken)
    {
        var store = new FileSystemModelStore(
            Microsoft.Extensions.Options.Options.Create(new ModelStoreOptions { RootPath = Path.Combine(context.CacheRoot, "models") }), NullLogger<FileSystemModelStore>.Instance);
        var loader = new ModelLoader(store, Microsoft.Extensions.Options.Options.Create(new ModelLoaderOptions()), NullLogger<ModelLoader>.Instance);
        using var sam = (SamModel)await loader.LoadAsync(Model, cancellationToken).ConfigureAwait(false);
        using var image = ImageDecoder.Decode(upload);
        using var embedding = sam.Encode(image, cancellationToken);
        var requests = Enumerable.Range(0, sam.DecoderMaxBatch)
            .Select(i => new SamDecodeInput(embedding, SamPrompt.FromPoints(new SamPoint(x + (5 * i), y, true))))
            .ToArray();
        List<double> singles = [], batches = [];
        for (var round = 0; round <= RawRounds; round++)
        {
            var started = Stopwatch.GetTimestamp();
            foreach (var request in requests)
            {
                sam.DecodeLowRes([request], cancellationToken);
            }

            var single = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            started = Stopwatch.GetTimestamp();
            sam.DecodeLowRes(requests, cancellationToken);
            var batch = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (round > 0)
            {
                singles.Add(single); // round 0 warms up
                batches.Add(batch);
            }
        }

        return (Stats.Of([.. singles]).Median, Stats.Of([.. batches]).Median);
    }

    private static (double Throughput, double P50, double P99, double MeanBatch) Median(List<Row> rows)
    {
        static double Mid(IEnumerable<double> values) => Stats.Of([.. values]).Median;
        return (Mid(rows.Select(r => r.Throughput)), Mid(rows.Select(r => r.P50)), Mid(rows.Select(r => r.P99)), Mid(rows.Select(r => r.MeanBatch)));
    }

    /// <summary>Decoder runs of the model on the silo so far (<c>GET /v1/models/{id}</c>, <c>runsByOperation.decode</c>).</summary>
    private static async Task<long> DecodeRunsAsync(SiloProcess silo, CancellationToken cancellationToken)
    {
        using var json = JsonDocument.Parse(await silo.Http.GetStringAsync(new Uri($"v1/models/{Model}", UriKind.Relative), cancellationToken).ConfigureAwait(false));
        long runs = 0;
        foreach (var residency in json.RootElement.GetProperty("residency").EnumerateArray())
        {
            if (residency.GetProperty("runsByOperation").TryGetProperty("decode", out var decode))
            {
                runs += decode.GetInt64();
            }
        }

        return runs;
    }

    private sealed record Row(double Throughput, double P50, double P99, long DecodeRuns, long Clicks)
    {
        public double MeanBatch => DecodeRuns == 0 ? 0 : (double)Clicks / DecodeRuns;
    }
}
