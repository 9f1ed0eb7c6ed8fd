namespace Atelier.Setup.Steps;

/// <summary>
/// Checks the programs Atelier needs from the system: <c>redis-server</c> (cluster tests and benchmarks) and
/// <c>chromium</c> (the browser editor's end-to-end tests, driven headless by playwright-core). As root on
/// Debian, missing ones are installed with apt; otherwise the exact command to run is printed and setup fails.
/// No image library comes from the system: the codecs are inside SkiaSharp's native asset (a NuGet package).
/// </summary>
internal sealed class SystemLibrariesStep : ISetupStep
{
    /// <summary>What must be on the PATH, and the Debian package providing it.</summary>
    internal static readonly IReadOnlyList<Requirement> Requirements =
    [
        new("redis-server", "redis-server"),
        new("chromium", "chromium"),
    ];

    public string Name => "system-packages";

    public async Task RunAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var missing = Requirements.Where(r => !IsPresent(r)).ToList();
        if (missing.Count == 0)
        {
            context.Report(Name, $"ok: {string.Join(", ", Requirements.Select(r => r.Name))}");
            return;
        }

        var packages = string.Join(' ', missing.Select(r => r.DebianPackage).Distinct());
        var command = $"apt-get update && apt-get install -y --no-install-recommends {packages}";
        if (!CanInstallWithApt())
        {
            throw new SetupException(
                $"missing {string.Join(", ", missing.Select(r => r.Name))}. Install them, e.g. on Debian: sudo sh -c '{command}'");
        }

        context.Report(Name, $"installing with apt: {packages}");
        var update = await ProcessRunner.RunAsync("apt-get", ["update", "-q"], null, cancellationToken).ConfigureAwait(false);
        var install = await ProcessRunner.RunAsync(
            "apt-get", ["install", "-y", "-q", "--no-install-recommends", .. missing.Select(r => r.DebianPackage).Distinct()], null, cancellationToken).ConfigureAwait(false);
        var stillMissing = missing.Where(r => !IsPresent(r)).ToList();
        if (install.ExitCode != 0 || stillMissing.Count > 0)
        {
            throw new SetupException(
                $"apt-get could not install {packages} (update exit {update.ExitCode}, install exit {install.ExitCode}): {install.StandardError.Trim()}");
        }

        context.Report(Name, $"installed: {packages}");
    }

    internal static bool IsPresent(Requirement requirement) => ProcessRunner.FindOnPath(requirement.Name) is not null;

    private static bool CanInstallWithApt() =>
        OperatingSystem.IsLinux() && Environment.UserName == "root" && File.Exists("/etc/debian_version")
        && ProcessRunner.FindOnPath("apt-get") is not null;

    internal sealed record Requirement(string Name, string DebianPackage);
}
