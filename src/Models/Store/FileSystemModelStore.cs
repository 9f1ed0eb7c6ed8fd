using System.Collections.Concurrent;
using System.Security.Cryptography;
using Atelier.Models.Adapters;
using Atelier.Models.Manifest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Atelier.Models.Store;

/// <summary>
/// Models as folders under one root: <c>&lt;root&gt;/&lt;id&gt;/model.json</c> plus its files.
/// <c>.staging/</c> holds registrations in progress and <c>.trash/</c> replaced or deleted models
/// until they are removed; both are hidden from listing. Registrations and deletions are serialized.
/// A file's sha256 is computed when it is registered and again only when its size or modification time changed
/// since it was last verified (a model swap costs the load, not a re-hash of hundreds of megabytes).
/// </summary>
public sealed partial class FileSystemModelStore : IModelStore, IDisposable
{
    private readonly ModelStoreOptions _options;
    private readonly ILogger<FileSystemModelStore> _logger;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    /// <summary>Files whose content matched a sha256, by full path, with the size and write time they had then.</summary>
    private readonly ConcurrentDictionary<string, VerifiedFile> _verified = new(StringComparer.Ordinal);

    public FileSystemModelStore(IOptions<ModelStoreOptions> options, ILogger<FileSystemModelStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        Root = Path.GetFullPath(_options.RootPath ?? throw new ArgumentException("ModelStoreOptions.RootPath is required.", nameof(options)));
        Directory.CreateDirectory(Root);
    }

    /// <summary>The absolute root folder.</summary>
    public string Root { get; }

    private string StagingRoot => Path.Combine(Root, ".staging");

    private string TrashRoot => Path.Combine(Root, ".trash");

    public async Task<IReadOnlyList<ModelEntry>> ListAsync(CancellationToken cancellationToken)
    {
        var entries = new List<ModelEntry>();
        foreach (var directory in Directory.EnumerateDirectories(Root))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = Path.GetFileName(directory);
            if (name.StartsWith('.'))
            {
                continue;
            }

            try
            {
                if (await ReadEntryAsync(directory, cancellationToken).ConfigureAwait(false) is { } entry)
                {
                    entries.Add(entry);
                }
            }
            catch (ModelManifestException e)
            {
                LogSkippedInvalidModel(_logger, name, e.Message);
            }
        }

        entries.Sort(static (a, b) => string.CompareOrdinal(a.Id, b.Id));
        return entries;
    }

    public async Task<ModelEntry?> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (!ModelManifestValidator.IsValidId(id))
        {
            return null;
        }

        var directory = Path.Combine(Root, id);
        return Directory.Exists(directory) ? await ReadEntryAsync(directory, cancellationToken).ConfigureAwait(false) : null;
    }

    public async Task<ModelRegistration> RegisterAsync(Stream archive, string? expectedId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(archive);
        if (expectedId is not null && !ModelManifestValidator.IsValidId(expectedId))
        {
            throw new ModelRegistrationException($"'{expectedId}' is not a valid model id.") { Code = "manifest_invalid" };
        }

        var staging = Path.Combine(StagingRoot, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            var spool = Path.Combine(staging, "archive");
            var content = Path.Combine(staging, "content");
            await ArchiveExtractor.SpoolAsync(archive, spool, _options.MaxArchiveBytes, cancellationToken).ConfigureAwait(false);
            Directory.CreateDirectory(content);
            await ArchiveExtractor.ExtractAsync(spool, content, _options, cancellationToken).ConfigureAwait(false);
            File.Delete(spool);
            return await InstallAsync(FindModelFolder(content), expectedId, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            TryDelete(staging);
        }
    }

    /// <summary>
    /// Registers a model from a folder already on disk (setup uses it for the real ISNet models and the
    /// demo models). The folder is copied into staging, verified, and swapped in like an archive.
    /// </summary>
    public async Task<ModelRegistration> RegisterFolderAsync(string folder, CancellationToken cancellationToken)
    {
        var staging = Path.Combine(StagingRoot, Guid.NewGuid().ToString("N"));
        try
        {
            CopyFolder(folder, staging);
            return await InstallAsync(staging, expectedId: null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            TryDelete(staging);
        }
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        if (!ModelManifestValidator.IsValidId(id))
        {
            return false;
        }

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var directory = Path.Combine(Root, id);
            if (!Directory.Exists(directory))
            {
                return false;
            }

            var trash = Path.Combine(TrashRoot, Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(TrashRoot);
            Directory.Move(directory, trash);
            TryDelete(trash);
            Forget(directory);
            LogDeleted(_logger, id);
            return true;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task VerifyAsync(ModelEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await VerifyFilesAsync(entry.Manifest, entry.Directory, remember: true, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _writeLock.Dispose();

    private async Task<ModelRegistration> InstallAsync(string folder, string? expectedId, CancellationToken cancellationToken)
    {
        var manifestPath = Path.Combine(folder, ModelManifest.FileName);
        if (!File.Exists(manifestPath))
        {
            throw new ModelRegistrationException($"The archive holds no {ModelManifest.FileName} (at its root or in one top-level folder).") { Code = "manifest_invalid" };
        }

        ModelManifest manifest;
        try
        {
            manifest = await ReadManifestAsync(manifestPath, cancellationToken).ConfigureAwait(false);
        }
        catch (ModelManifestException e)
        {
            throw new ModelRegistrationException(e.Message, e) { Code = "manifest_invalid" };
        }

        if (expectedId is not null && manifest.Id != expectedId)
        {
            throw new ModelRegistrationException($"The manifest's id '{manifest.Id}' does not match the id '{expectedId}' it is registered under.") { Code = "manifest_invalid" };
        }

        try
        {
            await VerifyFilesAsync(manifest, folder, remember: false, cancellationToken).ConfigureAwait(false);
        }
        catch (ModelManifestException e)
        {
            throw new ModelRegistrationException(e.Message, e) { Code = "file_mismatch" };
        }

        if (manifest.Kind == ModelKind.SdInpaint)
        {
            // Several files that must fit together: refuse a folder that would only fail at its first replace.
            try
            {
                await Task.Run(() => SdInpaintModel.CheckFolder(new ModelEntry(manifest, folder, 0, DateTimeOffset.UtcNow)), cancellationToken).ConfigureAwait(false);
            }
            catch (ModelManifestException e)
            {
                throw new ModelRegistrationException(e.Message, e) { Code = "model_invalid" };
            }
        }

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var target = Path.Combine(Root, manifest.Id);
            var replaced = Directory.Exists(target);
            string? trash = null;
            if (replaced)
            {
                trash = Path.Combine(TrashRoot, Guid.NewGuid().ToString("N"));
                Directory.CreateDirectory(TrashRoot);
                Directory.Move(target, trash);
            }

            try
            {
                Directory.Move(folder, target);
            }
            catch (IOException)
            {
                if (trash is not null)
                {
                    Directory.Move(trash, target); // put the previous version back: the store stays unchanged
                }

                throw;
            }

            if (trash is not null)
            {
                TryDelete(trash);
            }

            Forget(target);
            RememberVerified(manifest, target);
            LogRegistered(_logger, manifest.Id, manifest.Kind, replaced);
            var entry = await ReadEntryAsync(target, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Model '{manifest.Id}' vanished right after registration.");
            return new ModelRegistration(entry, replaced);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static async Task<ModelEntry?> ReadEntryAsync(string directory, CancellationToken cancellationToken)
    {
        var manifestPath = Path.Combine(directory, ModelManifest.FileName);
        if (!File.Exists(manifestPath))
        {
            return null;
        }

        var manifest = await ReadManifestAsync(manifestPath, cancellationToken).ConfigureAwait(false);
        if (manifest.Id != Path.GetFileName(directory))
        {
            throw new ModelManifestException($"{manifestPath}: id '{manifest.Id}' does not match its folder name.");
        }

        long size = 0;
        foreach (var file in manifest.Files.Values)
        {
            // A model folder may link its files to shared storage: count the target's size.
            var info = new FileInfo(Path.Combine(directory, file.Path));
            if (info.LinkTarget is not null)
            {
                info = info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? info;
            }

            size += info.Exists ? info.Length : 0;
        }

        return new ModelEntry(manifest, directory, size, File.GetLastWriteTimeUtc(manifestPath));
    }

    private static async Task<ModelManifest> ReadManifestAsync(string path, CancellationToken cancellationToken)
    {
        var length = new FileInfo(path).Length;
        if (length > ModelManifestSerializer.MaxManifestBytes)
        {
            throw new ModelManifestException($"{ModelManifest.FileName}: {length:N0} bytes is larger than the {ModelManifestSerializer.MaxManifestBytes:N0}-byte limit.");
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        return ModelManifestSerializer.Parse(bytes);
    }

    /// <param name="remember">Whether to remember the verified files (not for a staging folder that is moved next).</param>
    private async Task VerifyFilesAsync(ModelManifest manifest, string folder, bool remember, CancellationToken cancellationToken)
    {
        foreach (var (role, file) in manifest.Files)
        {
            var path = Path.GetFullPath(Path.Combine(folder, file.Path));
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new ModelManifestException($"Model '{manifest.Id}': file '{file.Path}' ({role}) is missing.");
            }

            var stamp = new VerifiedFile(file.Sha256, info.Length, info.LastWriteTimeUtc);
            if (_verified.TryGetValue(path, out var known) && known == stamp)
            {
                continue;
            }

            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan);
            var actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
            if (!string.Equals(actual, file.Sha256, StringComparison.Ordinal))
            {
                _verified.TryRemove(path, out _);
                throw new ModelManifestException($"Model '{manifest.Id}': file '{file.Path}' ({role}) does not match its sha256 (expected {file.Sha256}, got {actual}).");
            }

            if (remember)
            {
                _verified[path] = stamp;
            }
        }
    }

    /// <summary>
    /// Remembers the files of a model just verified in staging and moved to <paramref name="folder"/> (a rename keeps
    /// size and write time), so its first load does not hash them again.
    /// </summary>
    private void RememberVerified(ModelManifest manifest, string folder)
    {
        foreach (var file in manifest.Files.Values)
        {
            var path = Path.GetFullPath(Path.Combine(folder, file.Path));
            var info = new FileInfo(path);
            if (info.Exists)
            {
                _verified[path] = new VerifiedFile(file.Sha256, info.Length, info.LastWriteTimeUtc);
            }
        }
    }

    private void Forget(string folder)
    {
        var prefix = Path.GetFullPath(folder) + Path.DirectorySeparatorChar;
        foreach (var path in _verified.Keys)
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal))
            {
                _verified.TryRemove(path, out _);
            }
        }
    }

    private readonly record struct VerifiedFile(string Sha256, long Length, DateTime LastWriteTimeUtc);

    /// <summary>The folder holding model.json: the extraction root, or its single top-level folder.</summary>
    private static string FindModelFolder(string content)
    {
        if (File.Exists(Path.Combine(content, ModelManifest.FileName)))
        {
            return content;
        }

        var directories = Directory.GetDirectories(content);
        return directories.Length == 1 && Directory.GetFiles(content).Length == 0 ? directories[0] : content;
    }

    private static void CopyFolder(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException e)
        {
            LogCleanupFailed(_logger, directory, e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            LogCleanupFailed(_logger, directory, e.Message);
        }
    }
}
