using System.Security.Cryptography;

namespace Atelier.Setup;

/// <summary>Checksum verification and atomic placement of cached files.</summary>
internal static class VerifiedFile
{
    public enum Outcome
    {
        /// <summary>The cached file was present and verified; nothing was fetched.</summary>
        Cached,

        /// <summary>The file was absent and has been fetched.</summary>
        Fetched,

        /// <summary>The cached file failed verification, was deleted and fetched again.</summary>
        Refetched,
    }

    /// <summary>Lowercase hex sha256 of a file's content.</summary>
    public static string Sha256Of(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>True when <paramref name="path"/> exists, and has the expected size (if given) and sha256.</summary>
    public static bool IsValid(string path, string sha256, long? size = null)
    {
        var info = new FileInfo(path);
        if (!info.Exists || (size is { } expected && info.Length != expected))
        {
            return false;
        }

        return string.Equals(Sha256Of(path), sha256, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Makes sure <paramref name="target"/> holds content with the given checksum. A present, valid
    /// file is kept. Otherwise <paramref name="produce"/> writes a temporary file next to the target,
    /// which is verified and then renamed over the target, so a crash never leaves a half-written
    /// file under the final name and a corrupted file is never used.
    /// </summary>
    public static async Task<Outcome> EnsureAsync(
        string target, string sha256, long? size, Func<string, CancellationToken, Task> produce, CancellationToken cancellationToken)
    {
        var existed = File.Exists(target);
        if (existed && IsValid(target, sha256, size))
        {
            return Outcome.Cached;
        }

        if (existed)
        {
            File.Delete(target);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temporary = target + ".partial";
        try
        {
            await produce(temporary, cancellationToken).ConfigureAwait(false);
            if (!File.Exists(temporary))
            {
                throw new SetupException($"Setup produced no file for {Path.GetFileName(target)}.");
            }

            var length = new FileInfo(temporary).Length;
            if (size is { } expected && length != expected)
            {
                throw new SetupException(
                    $"{Path.GetFileName(target)}: expected {expected:N0} bytes, got {length:N0}. The download is incomplete or the package changed.");
            }

            var actual = Sha256Of(temporary);
            if (!string.Equals(actual, sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new SetupException(
                    $"{Path.GetFileName(target)}: sha256 {actual} does not match the pinned {sha256}. Refusing to use it.");
            }

            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        return existed ? Outcome.Refetched : Outcome.Fetched;
    }

    /// <summary>Human-readable form of an outcome for the progress line.</summary>
    public static string Describe(Outcome outcome) => outcome switch
    {
        Outcome.Cached => "ok (cached, sha256 verified)",
        Outcome.Fetched => "fetched, sha256 verified",
        _ => "cached copy was corrupt: fetched again, sha256 verified",
    };
}
