namespace Atelier.Setup.Steps;

/// <summary>
/// Installs the browser editor's end-to-end test driver, <c>playwright-core</c> (pinned version and registry integrity),
/// into its own prefix <c>.atelier/node/playwright/</c> with install scripts disabled. playwright-core downloads no
/// browser: the tests launch Debian's <c>chromium</c>, which <see cref="SystemLibrariesStep"/> checks or installs.
/// </summary>
internal sealed class EditorBrowserStep : ISetupStep
{
    public string Name => "editor-browser";

    /// <summary>The prefix under the cache root; the editor tests resolve <c>node_modules/playwright-core</c> below it.</summary>
    public static string Prefix(string nodeDirectory) => Path.Combine(nodeDirectory, "playwright");

    public async Task RunAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var package = Pins.PlaywrightCore;
        var prefix = Prefix(context.NodeDirectory);
        if (GrpcNodeStep.Installed(prefix, package) is null)
        {
            context.Report(Name, $"ok (cached): {package.Spec}");
            return;
        }

        context.Report(Name, $"installing {package.Spec} into .atelier/node/playwright (npm, --ignore-scripts)");
        Directory.CreateDirectory(prefix);
        string[] arguments = ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--no-save", "--prefix", prefix, package.Spec];
        var result = await ProcessRunner.RunAsync("npm", arguments, prefix, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new SetupException($"npm install {package.Spec} failed (exit {result.ExitCode}): {result.StandardError.Trim()}");
        }

        if (GrpcNodeStep.Installed(prefix, package) is { } problem)
        {
            throw new SetupException($"{package.Spec}: {problem}");
        }

        context.Report(Name, $"installed {package.Spec} ({package.Integrity[..20]}…)");
    }
}
