using System.Runtime.InteropServices;

namespace Atelier.Setup.Steps;

/// <summary>
/// Checks the system libraries and programs Atelier calls: the image codecs (TurboJPEG, libpng,
/// libwebp) and <c>redis-server</c> (cluster tests). As root on Debian, missing ones are installed
/// with apt; otherwise the exact command to run is printed and setup fails.
/// </summary>
internal sealed class SystemLibrariesStep : ISetupStep
{
    /// <summary>What must be present, and the Debian package providing it.</summary>
    internal static readonly IReadOnlyList<Requirement> Requirements =
    [
        new("libturbojpeg.so.0", "libturbojpeg0", IsProgram: false),
        new("libpng16.so.16", "libpng16-16", IsProgram: false),
        new("libwebp.so.7", "libwebp7", IsProgram: false),
        new("redis-server", "redis-server", IsProgram: true),
    ];

    public string Name => "system-libs";

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

    internal static bool IsPresent(Requirement requirement)
    {
        if (requirement.IsProgram)
        {
            return ProcessRunner.FindOnPath(requirement.Name) is not null;
        }

        if (!NativeLibrary.TryLoad(requirement.Name, out var handle))
        {
            return false;
        }

        NativeLibrary.Free(handle);
        return true;
    }

    private static bool CanInstallWithApt() =>
        OperatingSystem.IsLinux() && Environment.UserName == "root" && File.Exists("/etc/debian_version")
        && ProcessRunner.FindOnPath("apt-get") is not null;

    internal sealed record Requirement(string Name, string DebianPackage, bool IsProgram);
}
