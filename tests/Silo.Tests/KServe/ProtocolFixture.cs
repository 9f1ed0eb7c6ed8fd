using Atelier.Models.Forge;
using Atelier.Models.Store;
using Atelier.Silo.Tests.Http;

namespace Atelier.Silo.Tests.KServe;

/// <summary>
/// A silo whose model store holds the real ISNet and sam-demo (linked from the setup cache) and the generated
/// <c>types-demo</c> (one input per element type), with KServe limits small enough to test.
/// </summary>
public sealed class ProtocolFixture : IAsyncLifetime
{
    /// <summary>KServe:MaxRequestBytes of this host (room for ISNet's 48 MB JSON input).</summary>
    public const long MaxRequestBytes = 64L << 20;

    private readonly string _root = Directory.CreateTempSubdirectory("atelier-protocols-").FullName;

    public ApiHost Host { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>SageMaker:ModelRoot of this host: where multi-model load requests may read.</summary>
    public string SageMakerRoot => Path.Combine(_root, "..", Path.GetFileName(_root) + "-sagemaker");

    /// <summary>The setup cache's models folder (the real ISNet lives there).</summary>
    public static string CacheModels => Path.Combine(AtelierCache.FindRoot() ?? throw new InvalidOperationException("no .atelier cache: run ./build.sh setup"), "models");

    public async Task InitializeAsync()
    {
        foreach (var id in new[] { "isnet", "sam-demo" })
        {
            Directory.CreateSymbolicLink(Path.Combine(_root, id), Path.Combine(CacheModels, id));
        }

        await TypesDemoForge.WriteAsync(Path.Combine(_root, TypesDemoForge.Id), CancellationToken.None);
        Directory.CreateDirectory(SageMakerRoot);
        Host = new ApiHost(ApiHost.Unlimited(
            ("Models:Store:RootPath", _root),
            ("KServe:MaxRequestBytes", MaxRequestBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("SageMaker:Enabled", "true"),
            ("SageMaker:DefaultModel", TypesDemoForge.Id),
            ("SageMaker:ModelRoot", SageMakerRoot)));
        Client = Host.CreateClient();
        Client.Timeout = TimeSpan.FromMinutes(5);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        Directory.Delete(_root, recursive: true);
        if (Directory.Exists(SageMakerRoot))
        {
            Directory.Delete(SageMakerRoot, recursive: true);
        }
    }
}
