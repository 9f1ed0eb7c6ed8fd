using System.Text.Json;

namespace Atelier.Setup.Steps;

/// <summary>
/// Installs the interop tests' independent gRPC client (<c>@grpc/grpc-js</c>, <c>@grpc/proto-loader</c>) into its own
/// prefix <c>.atelier/node/grpc/</c> (so it never disturbs the reference client's tree), with install scripts
/// disabled, and checks that npm installed exactly the pinned tarballs (version and integrity).
/// </summary>
internal sealed class GrpcNodeStep : ISetupStep
{
    private static readonly NpmPin[] Packages = [Pins.GrpcJs, Pins.ProtoLoader];

    public string Name => "node-grpc";

    /// <summary>The prefix under the cache root; tests resolve <c>node_modules</c> below it.</summary>
    public static string Prefix(string nodeDirectory) => Path.Combine(nodeDirectory, "grpc");

    public async Task RunAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var prefix = Prefix(context.NodeDirectory);
        if (Array.TrueForAll(Packages, p => Installed(prefix, p) is null))
        {
            context.Report(Name, "ok (cached): " + string.Join(", ", Array.ConvertAll(Packages, p => p.Spec)));
            return;
        }

        var specs = Array.ConvertAll(Packages, p => p.Spec);
        context.Report(Name, $"installing {string.Join(" ", specs)} into .atelier/node/grpc (npm, --ignore-scripts)");
        Directory.CreateDirectory(prefix);
        string[] arguments = ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--no-save", "--prefix", prefix, .. specs];
        var result = await ProcessRunner.RunAsync("npm", arguments, prefix, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new SetupException($"npm install {string.Join(" ", specs)} failed (exit {result.ExitCode}): {result.StandardError.Trim()}");
        }

        foreach (var package in Packages)
        {
            if (Installed(prefix, package) is { } problem)
            {
                throw new SetupException($"{package.Spec}: {problem}");
            }

            context.Report(Name, $"installed {package.Spec} ({package.Integrity[..20]}…)");
        }
    }

    /// <summary>Null when the pinned version is installed from the pinned tarball; otherwise what is wrong.</summary>
    internal static string? Installed(string prefix, NpmPin package)
    {
        var manifest = Path.Combine(prefix, "node_modules", package.Name, "package.json");
        var lockFile = Path.Combine(prefix, "node_modules", ".package-lock.json");
        if (!File.Exists(manifest) || !File.Exists(lockFile))
        {
            return "not installed";
        }

        try
        {
            using var installed = JsonDocument.Parse(File.ReadAllText(manifest));
            if (!installed.RootElement.TryGetProperty("version", out var version) || version.GetString() != package.Version)
            {
                return $"installed version is not {package.Version}";
            }

            // npm records the integrity of every tarball it unpacked in the hidden lockfile.
            // Its keys are paths relative to where npm resolved the prefix (a symlinked cache gives "../…/node_modules/x").
            using var locked = JsonDocument.Parse(File.ReadAllText(lockFile));
            if (locked.RootElement.TryGetProperty("packages", out var packages))
            {
                foreach (var entry in packages.EnumerateObject())
                {
                    var key = entry.Name;
                    if ((key == "node_modules/" + package.Name || key.EndsWith("/node_modules/" + package.Name, StringComparison.Ordinal))
                        && key.IndexOf("node_modules/", StringComparison.Ordinal) == key.LastIndexOf("node_modules/", StringComparison.Ordinal)
                        && entry.Value.TryGetProperty("integrity", out var integrity)
                        && integrity.GetString() == package.Integrity)
                    {
                        return null;
                    }
                }
            }

            return $"the installed tarball's integrity is not {package.Integrity}";
        }
        catch (JsonException e)
        {
            return "unreadable package metadata: " + e.Message;
        }
    }
}
