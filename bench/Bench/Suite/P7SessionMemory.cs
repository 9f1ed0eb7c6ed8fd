using System.Globalization;
using Atelier.Grains;
using Atelier.Grains.Hosting;
using Atelier.Grains.Memory;
using Atelier.Runtime.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Bench.Suite;

/// <summary>
/// P7: memory per cached <c>sam-demo</c> session, with <c>Sessions:Cache:EmbeddingPrecision</c> Float32 and then
/// Float16, each on a fresh in-process silo (the real runtime, grains, model host and ONNX Runtime; only the
/// HTTP layer is left out so that this process's memory is the silo's). Two figures per precision:
/// the <see cref="DeviceMemoryManager"/> accounting (device + host bytes used) and the process's resident
/// set growth after a full blocking GC, both divided by the sessions opened after one warm-up session.
/// The reported value is the RESIDENT SET growth (what the machine really pays), against the expected
/// bytes: the fp32 embedding (256×64×64×4) plus the decoded RGB8 image the session keeps.
/// Target: ≤ 1.1 × with fp32, about half (≤ 0.6 ×) with fp16.
/// </summary>
internal sealed class P7SessionMemory : ISuiteScenario
{
    private const string Model = "sam-demo";
    private const long EmbeddingFp32Bytes = 256L * 64 * 64 * sizeof(float);

    public string Id => "P7";

    public string What => "memory per cached session (process RSS growth and DeviceMemoryManager accounting) vs embedding + image bytes, fp32 and fp16";

    public async Task<ScenarioResult> RunAsync(SuiteContext context, CancellationToken cancellationToken)
    {
        var expected = EmbeddingFp32Bytes + (3L * context.Width * context.Height);
        var fp32 = await MeasureAsync(context, "Float32", cancellationToken).ConfigureAwait(false);
        var fp16 = await MeasureAsync(context, "Float16", cancellationToken).ConfigureAwait(false);
        var (ratio32, ratio16) = (fp32.RssPerSession / expected, fp16.RssPerSession / expected);
        var met = ratio32 <= 1.1 && ratio16 <= 0.6;
        var detail = new Dictionary<string, object>
        {
            ["reported"] = "process resident set growth per session after a full GC (Environment.WorkingSet)",
            ["image"] = string.Create(CultureInfo.InvariantCulture, $"{context.UploadName} ({context.Width}x{context.Height}, {context.Upload.Length} bytes JPEG)"),
            ["expectedBytesPerSession"] = expected,
            ["embeddingFp32Bytes"] = EmbeddingFp32Bytes,
            ["imageRgb8Bytes"] = 3L * context.Width * context.Height,
            ["sessionsPerPrecision"] = context.Options.MemorySessions,
            ["fp32"] = fp32.ToDetail(expected),
            ["fp16"] = fp16.ToDetail(expected),
            ["fp16RssRatio"] = Math.Round(ratio16, 3),
            ["fp16OverFp32Rss"] = Math.Round(fp16.RssPerSession / fp32.RssPerSession, 3),
            ["fp16OverFp32Accounted"] = Math.Round(fp16.AccountedPerSession / fp32.AccountedPerSession, 3),
        };
        if (!met)
        {
            detail["note"] = ratio32 > 1.1
                ? "fp32 target missed: the session keeps more than the embedding and the decoded image (see managedBytesPerSession and the encoded upload in its history)"
                : "fp16 'about half' missed for the whole session: fp16 halves the embedding (see fp16OverFp32Accounted) but the decoded RGB8 image is kept as is and dominates for a large photo";
        }

        return new ScenarioResult(Id, What, Math.Round(ratio32, 3), "× (fp32 RSS growth per session / (embedding + image) bytes)",
            "≤ 1.1 × (fp32); ≤ 0.6 × (fp16, about half)", met, detail);
    }

    private static async Task<Measurement> MeasureAsync(SuiteContext context, string precision, CancellationToken cancellationToken)
    {
        context.Log($"P7 {precision}: {context.Options.MemorySessions} sessions");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Models:Store:RootPath"] = context.ModelRoot,
            ["Sessions:Cache:EmbeddingPrecision"] = precision,
        }).Build();
        await using var cluster = await TestCluster.StartAsync(
            1, services => services.AddAtelierGrains(configuration), o => o.ResponseTimeout = TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
        var silo = cluster.Silos[0];
        var memory = silo.Services.GetRequiredService<DeviceMemoryManager>();
        var sessions = new List<ISessionGrain>();
        try
        {
            sessions.Add(await OpenAsync(silo, context, cancellationToken).ConfigureAwait(false)); // warm-up: loads the model, fills pools
            Settle();
            var (rssBefore, managedBefore, accountedBefore) = (Environment.WorkingSet, GC.GetTotalMemory(true), memory.DeviceBytesUsed + memory.HostBytesUsed);
            for (var i = 0; i < context.Options.MemorySessions; i++)
            {
                sessions.Add(await OpenAsync(silo, context, cancellationToken).ConfigureAwait(false));
            }

            Settle();
            var n = (double)context.Options.MemorySessions;
            return new Measurement(
                (Environment.WorkingSet - rssBefore) / n,
                (GC.GetTotalMemory(true) - managedBefore) / n,
                (memory.DeviceBytesUsed + memory.HostBytesUsed - accountedBefore) / n);
        }
        finally
        {
            foreach (var session in sessions)
            {
                await session.Close(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<ISessionGrain> OpenAsync(TestSilo silo, SuiteContext context, CancellationToken cancellationToken)
    {
        var session = silo.GrainFactory.GetGrain<ISessionGrain>(Guid.NewGuid().ToString("N"));
        await session.Open(new ImageUpload(context.Upload, null), new OpenSessionOptions(Model, null), cancellationToken).ConfigureAwait(false);
        return session;
    }

    private static void Settle()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    private readonly record struct Measurement(double RssPerSession, double ManagedPerSession, double AccountedPerSession)
    {
        public Dictionary<string, object> ToDetail(double expected) => new()
        {
            ["rssBytesPerSession"] = Math.Round(RssPerSession),
            ["rssRatio"] = Math.Round(RssPerSession / expected, 3),
            ["managedBytesPerSession"] = Math.Round(ManagedPerSession),
            ["accountedBytesPerSession"] = Math.Round(AccountedPerSession),
            ["accountedRatio"] = Math.Round(AccountedPerSession / expected, 3),
        };
    }
}
