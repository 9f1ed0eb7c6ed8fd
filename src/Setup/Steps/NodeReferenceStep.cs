using System.Text.Json;

namespace Atelier.Setup.Steps;

/// <summary>
/// Installs the reference client <c>onnxruntime-node</c> into <c>.atelier/node/</c> with install scripts
/// disabled (they would try to download GPU binaries). Tests and benchmark P3 compare the ONNX Runtime package with it.
/// </summary>
internal sealed class NodeReferenceStep(string packageSpec = Pins.NodeReferencePackage) : ISetupStep
{
    public string Name => "node-reference";

    public async Task RunAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var (name, version) = Split(packageSpec);
        var manifest = Path.Combine(context.NodeDirectory, "node_modules", name, "package.json");
        if (InstalledVersion(manifest) == version)
        {
            context.Report(Name, $"ok (cached): {name}@{version}");
            return;
        }

        context.Report(Name, $"installing {packageSpec} into .atelier/node (npm, --ignore-scripts)");
        Directory.CreateDirectory(context.NodeDirectory);
        var result = await ProcessRunner.RunAsync(
            "npm",
            ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--no-save", "--prefix", context.NodeDirectory, packageSpec],
            context.NodeDirectory,
            cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0 || InstalledVersion(manifest) != version)
        {
            throw new SetupException($"npm install {packageSpec} failed (exit {result.ExitCode}): {result.StandardError.Trim()}");
        }

        context.Report(Name, $"installed {name}@{version}");
    }

    private static (string Name, string Version) Split(string spec)
    {
        var at = spec.LastIndexOf('@');
        return at <= 0 ? (spec, "") : (spec[..at], spec[(at + 1)..]);
    }

    private static string? InstalledVersion(string manifest)
    {
        if (!File.Exists(manifest))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(manifest));
            return document.RootElement.TryGetProperty("version", out var v) ? v.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
