using Atelier.Bench.Infrastructure;
using Atelier.Imaging;
using Atelier.Models.Adapters;
using Atelier.Models.Onnx;
using Atelier.Models.Store;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Atelier.Bench.Suite;

/// <summary>
/// What the P-scenarios share: options, the test photo, an in-process model loader (the raw side of the
/// comparisons) and one embedded silo process (the served side of P1, P2 and P5), started on first use.
/// </summary>
internal sealed class SuiteContext : IAsyncDisposable
{
    private SiloProcess? _silo;

    private SuiteContext(BenchContext bench, SuiteOptions options, byte[] upload, string uploadName, int width, int height)
    {
        Bench = bench;
        Options = options;
        Upload = upload;
        UploadName = uploadName;
        Width = width;
        Height = height;
        ModelRoot = Path.Combine(bench.CacheRoot, "models");
        Store = new FileSystemModelStore(
            Microsoft.Extensions.Options.Options.Create(new ModelStoreOptions { RootPath = ModelRoot }), NullLogger<FileSystemModelStore>.Instance);
    }

    public BenchContext Bench { get; }

    public SuiteOptions Options { get; }

    /// <summary>The JPEG every session opens with.</summary>
    public byte[] Upload { get; }

    /// <summary>Where <see cref="Upload"/> came from (file name, or "generated").</summary>
    public string UploadName { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The click every scenario makes: the middle of the image, a little below centre (on the truck).</summary>
    public (float X, float Y) Click => (Width * 0.5f, Height * 0.55f);

    public string ModelRoot { get; }

    public FileSystemModelStore Store { get; }

    /// <summary>
    /// Loads <paramref name="model"/> in-process with the product's default loader options (the same ORT
    /// session options the silo uses), optionally with <paramref name="intraOpThreads"/> threads per run.
    /// </summary>
    public async Task<LoadedModel> LoadModelAsync(string model, int intraOpThreads, CancellationToken cancellationToken)
    {
        // 0 threads: the product's global pool; N: a pool of N threads of the session's own.
        var session = intraOpThreads > 0 ? new InferenceSessionOptions { UseGlobalThreadPool = false, IntraOpThreads = intraOpThreads } : new InferenceSessionOptions();
        var options = new ModelLoaderOptions { Session = session };
        var loader = new ModelLoader(Store, Microsoft.Extensions.Options.Options.Create(options), NullLogger<ModelLoader>.Instance);
        return await loader.LoadAsync(model, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The shared embedded silo process (defaults, rate limit off), started on first use.</summary>
    public async Task<SiloProcess> EmbeddedSiloAsync(CancellationToken cancellationToken) =>
        _silo ??= await SiloProcess.StartAsync("bench", Bench.CacheRoot, new Dictionary<string, string>(), cancellationToken).ConfigureAwait(false);

    /// <summary>A line of progress on the console (not part of the results).</summary>
    public void Log(string line) => Bench.Output.WriteLine($"  [{DateTime.UtcNow:HH:mm:ss}] {line}");

    public static async Task<SuiteContext> CreateAsync(BenchContext bench, SuiteOptions options, CancellationToken cancellationToken)
    {
        var (upload, name) = await LoadUploadAsync(bench, cancellationToken).ConfigureAwait(false);
        using var image = ImageDecoder.Decode(upload);
        return new SuiteContext(bench, options, upload, name, image.Width, image.Height);
    }

    public async ValueTask DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync().ConfigureAwait(false);
        }

        Store.Dispose();
    }

    /// <summary>shared/testdata/photos/truck.jpg of the nearest ancestor that has it (1800×1200), else a generated 1800×1200 JPEG.</summary>
    private static async Task<(byte[] Bytes, string Name)> LoadUploadAsync(BenchContext bench, CancellationToken cancellationToken)
    {
        for (var dir = new DirectoryInfo(bench.RepositoryRoot); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "testdata", "photos", "truck.jpg");
            if (File.Exists(candidate))
            {
                return (await File.ReadAllBytesAsync(candidate, cancellationToken).ConfigureAwait(false), "shared/testdata/photos/truck.jpg");
            }
        }

        using var generated = new RgbImage(1800, 1200);
        for (var y = 0; y < generated.Height; y++)
        {
            var row = generated.Row(y);
            for (var x = 0; x < generated.Width; x++)
            {
                var dx = x - 900;
                var dy = y - 660;
                var inside = (dx * dx) + (dy * dy) < 300 * 300;
                row[x * 3] = inside ? (byte)200 : (byte)(40 + (x % 13));
                row[(x * 3) + 1] = inside ? (byte)60 : (byte)(90 + (y % 11));
                row[(x * 3) + 2] = inside ? (byte)50 : (byte)150;
            }
        }

        return (JpegEncoder.Encode(generated, 90), "generated 1800x1200 scene");
    }
}
