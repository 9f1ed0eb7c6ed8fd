using System.Diagnostics;
using System.Globalization;
using Atelier.Grains;
using Atelier.Grains.Hosting;
using Atelier.Imaging;
using Atelier.Models.Adapters;
using Atelier.Models.Store;
using Atelier.Bench.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Atelier.Bench;

/// <summary>
/// The product's core claim, side by side in one run: a click on a cached session (grain call → decoder on
/// the resident embedding → mask post-processing → PNG) against (a) the raw in-process decoder run on the
/// same embedding and (b) the stateless path (decode the upload, encode, decode per click); for sam-demo and
/// sam-isnet. Also memory per cached session against embedding + image bytes.
/// Arguments: [image path] (default: ../shared/testdata/photos/truck.jpg, else a generated 1800×1200 JPEG).
/// </summary>
internal sealed class SessionsBenchmark : IBenchmark
{
    private const int Clicks = 30;
    private const int StatelessRuns = 3;
    private const int MemorySessions = 12;

    public string Name => "sessions";

    public string Description => "sticky session click vs raw decoder vs stateless encode+decode; memory per session";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var upload = await LoadUploadAsync(context, cancellationToken).ConfigureAwait(false);
        var modelRoot = Path.Combine(context.CacheRoot, "models");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Models:Store:RootPath"] = modelRoot,
        }).Build();
        await using var cluster = await InProcessSilos.StartAsync(
            1, silo => silo.AddAtelierGrains(configuration).Configure<Orleans.Configuration.SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromMinutes(5)),
            cancellationToken).ConfigureAwait(false);
        var silo = cluster.Silos[0];
        using var store = new FileSystemModelStore(Options.Create(new ModelStoreOptions { RootPath = modelRoot }), NullLogger<FileSystemModelStore>.Instance);
        var loader = new ModelLoader(store, Options.Create(new ModelLoaderOptions()), NullLogger<ModelLoader>.Instance);
        using var image = ImageDecoder.Decode(upload);
        var (x, y) = (image.Width * 0.5f, image.Height * 0.55f);

        var output = context.Output;
        output.WriteLine($"image {image.Width}x{image.Height}, {Clicks} clicks per path, {StatelessRuns} stateless runs; medians in ms");
        output.WriteLine();
        output.WriteLine("| model | raw decoder | cached session click | overhead | stateless click | encode | speedup (stateless / cached) | target (0.9 × (encode+decode)/decode) |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var model in new[] { "sam-demo", "sam-isnet" })
        {
            using var sam = (SamModel)await loader.LoadAsync(model, cancellationToken).ConfigureAwait(false);
            using var embedding = sam.Encode(image, cancellationToken);
            var prompt = SamPrompt.FromPoints(new SamPoint(x, y, true));
            var session = silo.GrainFactory.GetGrain<ISessionGrain>(Guid.NewGuid().ToString("N"));
            await session.Open(new ImageUpload(upload, null), new OpenSessionOptions(model, null), cancellationToken).ConfigureAwait(false);
            var request = new SegmentRequest([new PromptPoint(x, y, 1)], null, false, false, 0);

            // Warm both paths, then alternate them click by click so machine noise hits both alike.
            for (var i = 0; i < 3; i++)
            {
                Raw(sam, embedding, prompt, cancellationToken);
                await session.Segment(request, cancellationToken).ConfigureAwait(false);
            }

            var raw = new double[Clicks];
            var cached = new double[Clicks];
            for (var i = 0; i < Clicks; i++)
            {
                var started = Stopwatch.GetTimestamp();
                Raw(sam, embedding, prompt, cancellationToken);
                raw[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                started = Stopwatch.GetTimestamp();
                await session.Segment(request, cancellationToken).ConfigureAwait(false);
                cached[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            var encode = new double[StatelessRuns];
            var stateless = new double[StatelessRuns];
            for (var i = 0; i < StatelessRuns; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using (var decoded = ImageDecoder.Decode(upload))
                {
                    var encodeStarted = Stopwatch.GetTimestamp();
                    using var fresh = sam.Encode(decoded, cancellationToken);
                    encode[i] = Stopwatch.GetElapsedTime(encodeStarted).TotalMilliseconds;
                    Raw(sam, fresh, prompt, cancellationToken);
                }

                stateless[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            await session.Close(cancellationToken).ConfigureAwait(false);
            var (r, c, s, e) = (BenchContext.Median(raw), BenchContext.Median(cached), BenchContext.Median(stateless), BenchContext.Median(encode));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {model} | {r:F2} | {c:F2} | {(c - r):+0.00;-0.00} ms ({(c / r - 1) * 100:F1} %) | {s:F1} | {e:F1} | {s / c:F1}× | {0.9 * (e + r) / r:F1}× |"));
        }

        await MeasureMemoryAsync(silo, upload, image, output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Process memory per open session (sam-demo), against the embedding plus the decoded image.</summary>
    private static async Task MeasureMemoryAsync(BenchSilo silo, byte[] upload, RgbImage image, TextWriter output, CancellationToken cancellationToken)
    {
        var warm = silo.GrainFactory.GetGrain<ISessionGrain>(Guid.NewGuid().ToString("N"));
        await warm.Open(new ImageUpload(upload, null), new OpenSessionOptions("sam-demo", null), cancellationToken).ConfigureAwait(false);
        Settle();
        var before = Environment.WorkingSet;
        var sessions = new List<ISessionGrain>();
        for (var i = 0; i < MemorySessions; i++)
        {
            var session = silo.GrainFactory.GetGrain<ISessionGrain>(Guid.NewGuid().ToString("N"));
            await session.Open(new ImageUpload(upload, null), new OpenSessionOptions("sam-demo", null), cancellationToken).ConfigureAwait(false);
            sessions.Add(session);
        }

        Settle();
        var perSession = (double)(Environment.WorkingSet - before) / MemorySessions;
        var expected = (256.0 * 64 * 64 * sizeof(float)) + (image.Width * image.Height * 3.0);
        output.WriteLine();
        output.WriteLine("| memory per cached session (sam-demo) | bytes |");
        output.WriteLine("|---|---:|");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| process working set growth / session ({MemorySessions} sessions) | {perSession:N0} |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| embedding (256×64×64 fp32) + decoded image (RGB8) | {expected:N0} |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| ratio (target ≤ 1.1×) | {perSession / expected:F2}× |"));
        foreach (var session in sessions)
        {
            await session.Close(cancellationToken).ConfigureAwait(false);
        }

        await warm.Close(cancellationToken).ConfigureAwait(false);
    }

    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static void Raw(SamModel sam, SamEmbedding embedding, SamPrompt prompt, CancellationToken cancellationToken)
    {
        foreach (var candidate in sam.Decode(embedding, prompt, SamMaskOutput.Single, null, cancellationToken))
        {
            candidate.Dispose();
        }
    }

    private static async Task<byte[]> LoadUploadAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var path = context.Arguments.Count > 0
            ? context.Arguments[0]
            : Path.GetFullPath(Path.Combine(context.RepositoryRoot, "..", "shared", "testdata", "photos", "truck.jpg"));
        if (File.Exists(path))
        {
            return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }

        using var generated = new RgbImage(1800, 1200);
        var random = new Random(5);
        random.NextBytes(generated.Pixels);
        return JpegEncoder.Encode(generated, 90);
    }
}
