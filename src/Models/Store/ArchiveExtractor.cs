using System.Formats.Tar;
using System.IO.Compression;
using Atelier.Models.Manifest;

namespace Atelier.Models.Store;

/// <summary>
/// Extracts an untrusted model archive into a folder, refusing anything that could escape it or
/// exhaust the disk: <c>..</c> or absolute entry names, links, device files, too many entries,
/// too many bytes (counted while copying, never trusting declared sizes).
/// </summary>
internal static class ArchiveExtractor
{
    /// <summary>Copies <paramref name="source"/> to <paramref name="spoolPath"/>, failing as soon as it exceeds the limit.</summary>
    public static async Task SpoolAsync(Stream source, string spoolPath, long maxBytes, CancellationToken cancellationToken)
    {
        await using var spool = new FileStream(spoolPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        await CopyBoundedAsync(source, spool, maxBytes, "archive", cancellationToken).ConfigureAwait(false);
    }

    public static ArchiveFormat Detect(string spoolPath)
    {
        Span<byte> magic = stackalloc byte[4];
        using var file = File.OpenRead(spoolPath);
        var read = file.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        if (read >= 2 && magic[0] == 0x1F && magic[1] == 0x8B)
        {
            return ArchiveFormat.TarGz;
        }

        if (read == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] is 3 or 5 && magic[3] is 4 or 6)
        {
            return ArchiveFormat.Zip;
        }

        throw Invalid(read == 0 ? "the archive is empty" : "not a .tar.gz or .zip archive (unrecognised magic bytes)");
    }

    public static async Task ExtractAsync(string spoolPath, string destination, ModelStoreOptions limits, CancellationToken cancellationToken)
    {
        var budget = new Budget(limits);
        if (Detect(spoolPath) == ArchiveFormat.TarGz)
        {
            await ExtractTarGzAsync(spoolPath, destination, budget, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await ExtractZipAsync(spoolPath, destination, budget, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task ExtractTarGzAsync(string spoolPath, string destination, Budget budget, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(spoolPath);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        await using var reader = new TarReader(gzip);
        while (true)
        {
            TarEntry? entry;
            try
            {
                entry = await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
            {
                throw Invalid($"the tar stream is corrupt ({e.Message})", e);
            }

            if (entry is null)
            {
                return;
            }

            switch (entry.EntryType)
            {
                case TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes:
                    continue; // metadata records, not files
                case TarEntryType.Directory:
                    Directory.CreateDirectory(budget.Place(destination, entry.Name, isDirectory: true));
                    continue;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    var path = budget.Place(destination, entry.Name, isDirectory: false);
                    await using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                    {
                        if (entry.DataStream is not null)
                        {
                            await budget.CopyAsync(entry.DataStream, output, entry.Name, cancellationToken).ConfigureAwait(false);
                        }
                    }

                    continue;
                case TarEntryType.SymbolicLink or TarEntryType.HardLink:
                    throw Invalid($"entry '{entry.Name}' is a link; links are not allowed");
                case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                    throw Invalid($"entry '{entry.Name}' is a device or pipe; only files and folders are allowed");
                default:
                    throw Invalid($"entry '{entry.Name}' has unsupported type {entry.EntryType}");
            }
        }
    }

    private static async Task ExtractZipAsync(string spoolPath, string destination, Budget budget, CancellationToken cancellationToken)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(File.OpenRead(spoolPath), ZipArchiveMode.Read, leaveOpen: false);
        }
        catch (InvalidDataException e)
        {
            throw Invalid($"the zip archive is corrupt ({e.Message})", e);
        }

        using (zip)
        {
            foreach (var entry in zip.Entries)
            {
                // Unix mode lives in the high 16 bits of the external attributes; S_IFLNK = 0xA000.
                var unixType = (entry.ExternalAttributes >> 16) & 0xF000;
                if (unixType == 0xA000)
                {
                    throw Invalid($"entry '{entry.FullName}' is a link; links are not allowed");
                }

                if (unixType is 0x2000 or 0x6000 or 0x1000 or 0xC000)
                {
                    throw Invalid($"entry '{entry.FullName}' is a device, pipe or socket; only files and folders are allowed");
                }

                var isDirectory = entry.FullName.EndsWith('/');
                var path = budget.Place(destination, entry.FullName, isDirectory);
                if (isDirectory)
                {
                    Directory.CreateDirectory(path);
                    continue;
                }

                try
                {
                    await using var input = entry.Open();
                    await using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
                    await budget.CopyAsync(input, output, entry.FullName, cancellationToken).ConfigureAwait(false);
                }
                catch (InvalidDataException e)
                {
                    throw Invalid($"entry '{entry.FullName}' is corrupt ({e.Message})", e);
                }
            }
        }
    }

    private static async Task<long> CopyBoundedAsync(Stream input, Stream output, long maxBytes, string what, CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            long total = 0;
            int read;
            while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
                if (total > maxBytes)
                {
                    throw new ModelRegistrationException($"The {what} is larger than the {maxBytes:N0}-byte limit.") { Code = "archive_too_large" };
                }

                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }

            return total;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ModelRegistrationException Invalid(string problem, Exception? inner = null) =>
        inner is null
            ? new ModelRegistrationException($"Invalid model archive: {problem}.")
            : new ModelRegistrationException($"Invalid model archive: {problem}.", inner);

    /// <summary>Counts entries and extracted bytes against the limits, and maps entry names to safe paths.</summary>
    private sealed class Budget(ModelStoreOptions limits)
    {
        private readonly HashSet<string> _names = new(StringComparer.Ordinal);
        private long _bytes;

        public string Place(string destination, string name, bool isDirectory)
        {
            if (_names.Count >= limits.MaxEntries)
            {
                throw new ModelRegistrationException($"Invalid model archive: more than {limits.MaxEntries} entries.") { Code = "archive_too_large" };
            }

            var relative = name.StartsWith("./", StringComparison.Ordinal) ? name[2..] : name;
            if (isDirectory)
            {
                relative = relative.TrimEnd('/');
            }

            if (relative.Length == 0 && isDirectory)
            {
                return destination; // "./" itself
            }

            if (!ModelManifestValidator.IsSafeRelativePath(relative) || relative.Any(char.IsControl))
            {
                throw Invalid($"entry '{name}' has an unsafe path (absolute, '..', or invalid characters)");
            }

            if (!_names.Add(relative))
            {
                throw Invalid($"entry '{name}' appears twice");
            }

            var path = Path.GetFullPath(Path.Combine(destination, relative));
            // Defence in depth: the checks above already exclude escapes.
            if (!path.StartsWith(Path.GetFullPath(destination) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw Invalid($"entry '{name}' would be written outside the model folder");
            }

            if (!isDirectory)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            }

            return path;
        }

        public async Task CopyAsync(Stream input, Stream output, string name, CancellationToken cancellationToken)
        {
            var copied = await CopyBoundedAsync(input, output, limits.MaxExtractedBytes - _bytes, $"content of the archive (at '{name}')", cancellationToken).ConfigureAwait(false);
            _bytes += copied;
        }
    }
}
