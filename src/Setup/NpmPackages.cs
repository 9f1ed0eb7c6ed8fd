using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;

namespace Atelier.Setup;

/// <summary>Fetches npm package tarballs with <c>npm pack</c> (npm checks the registry's integrity hash) and reads entries from them.</summary>
internal static class NpmPackages
{
    /// <summary>
    /// Returns the path of the tarball for <paramref name="spec"/> in <paramref name="directory"/>,
    /// fetching it with <c>npm pack</c> unless <paramref name="reuse"/> and a previous fetch is recorded.
    /// <paramref name="spec"/> is anything npm pack accepts (a <c>name@version</c> or a local folder).
    /// </summary>
    public static async Task<string> PackAsync(string spec, string directory, bool reuse, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var record = Path.Combine(directory, MakeRecordName(spec));
        if (reuse && File.Exists(record))
        {
            var cached = Path.Combine(directory, (await File.ReadAllTextAsync(record, cancellationToken).ConfigureAwait(false)).Trim());
            if (File.Exists(cached))
            {
                return cached;
            }
        }

        var result = await ProcessRunner.RunAsync(
            "npm", ["pack", spec, "--json", "--silent", "--pack-destination", directory], directory, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new SetupException($"npm pack {spec} failed (exit {result.ExitCode}): {result.StandardError.Trim()}");
        }

        string fileName;
        try
        {
            using var json = JsonDocument.Parse(result.StandardOutput);
            fileName = json.RootElement[0].GetProperty("filename").GetString()!;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or IndexOutOfRangeException or InvalidOperationException)
        {
            throw new SetupException($"npm pack {spec} printed unexpected output: {result.StandardOutput.Trim()}", e);
        }

        // Scoped packages are written as scope-name-version.tgz without the '@'.
        fileName = fileName.TrimStart('@').Replace('/', '-');
        var tarball = Path.Combine(directory, fileName);
        if (!File.Exists(tarball))
        {
            throw new SetupException($"npm pack {spec} reported {fileName}, but it is not in {directory}.");
        }

        await File.WriteAllTextAsync(record, fileName, cancellationToken).ConfigureAwait(false);
        return tarball;
    }

    /// <summary>Forgets a cached tarball so the next <see cref="PackAsync"/> fetches it again.</summary>
    public static void Forget(string spec, string directory)
    {
        var record = Path.Combine(directory, MakeRecordName(spec));
        if (File.Exists(record))
        {
            var tarball = Path.Combine(directory, File.ReadAllText(record).Trim());
            File.Delete(tarball);
            File.Delete(record);
        }
    }

    /// <summary>Copies the entries named by <paramref name="select"/> (entry name → destination path or null) out of a .tgz.</summary>
    public static async Task<int> ExtractAsync(string tarball, Func<string, string?> select, CancellationToken cancellationToken)
    {
        var count = 0;
        await using var file = File.OpenRead(tarball);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        await using var reader = new TarReader(gzip);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
            {
                continue;
            }

            if (select(entry.Name) is { } destination)
            {
                await using var output = File.Create(destination);
                await entry.DataStream.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                count++;
            }
        }

        return count;
    }

    private static string MakeRecordName(string spec)
    {
        var name = spec.Replace('/', '_').Replace('\\', '_').Replace(':', '_');
        return $".{name}.tarball";
    }
}
