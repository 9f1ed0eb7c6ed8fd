namespace Atelier.Setup.Steps;

/// <summary>
/// Caches <c>libonnxruntime.so.1</c> (linux-x64, CPU execution provider) from the npm package
/// <c>onnxruntime-node</c> in <c>.atelier/native/</c>, verified against a pinned sha256.
/// </summary>
internal sealed class OnnxRuntimeStep(
    string packageSpec = Pins.OnnxRuntimePackage,
    string entry = Pins.OnnxRuntimeEntry,
    string sha256 = Pins.OnnxRuntimeSha256) : ISetupStep
{
    public string Name => "onnxruntime";

    public static string LibraryPath(SetupContext context) => Path.Combine(context.NativeDirectory, Pins.OnnxRuntimeFileName);

    public async Task RunAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var target = LibraryPath(context);
        var outcome = await VerifiedFile.EnsureAsync(target, sha256, size: null, async (temporary, ct) =>
        {
            context.Report(Name, $"extracting {Pins.OnnxRuntimeFileName} from npm package {packageSpec}");
            await TarballEntries.ExtractOneAsync(context, packageSpec, entry, temporary, sha256, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        context.Report(Name, $"{VerifiedFile.Describe(outcome)}: {Relative(context, target)}");
    }

    internal static string Relative(SetupContext context, string path) =>
        Path.Combine(".atelier", Path.GetRelativePath(context.CacheRoot, path));
}
