using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Atelier.Models.Store;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Atelier.Models.Tests.ModelArchiveBuilder;

namespace Atelier.Models.Tests;

public sealed class FileSystemModelStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "atelier-store-" + Guid.NewGuid().ToString("N"));
    private readonly FileSystemModelStore _store;

    public FileSystemModelStoreTests() => _store = Create(new ModelStoreOptions(), main: true);

    public void Dispose()
    {
        _store.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task TarGz_archive_registers_a_model_that_lists_reads_and_verifies()
    {
        var files = IsnetModel("isnet-test");

        var registration = await Register(TarGz(files), "isnet-test");

        Assert.False(registration.Replaced);
        var listed = Assert.Single(await _store.ListAsync(default));
        Assert.Equal("isnet-test", listed.Id);
        Assert.Equal(files["model.onnx"].Length, listed.SizeBytes);
        Assert.Equal(files["model.onnx"], await File.ReadAllBytesAsync(listed.PathOf("model")));
        await _store.VerifyAsync(listed, default);
    }

    [Fact]
    public async Task Zip_archive_with_one_top_level_folder_registers()
    {
        await Register(Zip(IsnetModel("zipped", prefix: "zipped/")), expectedId: null);

        Assert.NotNull(await _store.GetAsync("zipped", default));
    }

    [Fact]
    public async Task Registering_an_existing_id_replaces_it()
    {
        await Register(TarGz(IsnetModel("m", version: "1")), "m");

        var second = await Register(TarGz(IsnetModel("m", version: "2")), "m");

        Assert.True(second.Replaced);
        Assert.Equal("2", (await _store.GetAsync("m", default))!.Manifest.Version);
        Assert.Single(await _store.ListAsync(default));
    }

    [Fact]
    public async Task Delete_removes_the_model()
    {
        await Register(TarGz(IsnetModel("gone")), "gone");

        Assert.True(await _store.DeleteAsync("gone", default));
        Assert.False(await _store.DeleteAsync("gone", default));
        Assert.Null(await _store.GetAsync("gone", default));
    }

    [Fact]
    public async Task Listing_reads_manifests_only_and_verification_names_the_corrupted_file()
    {
        await Register(TarGz(IsnetModel("corrupt-later")), "corrupt-later");
        var entry = (await _store.GetAsync("corrupt-later", default))!;
        await File.WriteAllBytesAsync(entry.PathOf("model"), Encoding.ASCII.GetBytes("flipped"));

        var listed = Assert.Single(await _store.ListAsync(default)); // no hashing while listing
        var error = await Assert.ThrowsAsync<Atelier.Models.Manifest.ModelManifestException>(() => _store.VerifyAsync(listed, default));

        Assert.Contains("'model.onnx'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_verified_file_is_hashed_again_only_when_its_size_or_write_time_changed()
    {
        await Register(TarGz(IsnetModel("stamped")), "stamped");
        var entry = (await _store.GetAsync("stamped", default))!;
        var path = entry.PathOf("model");
        var original = await File.ReadAllBytesAsync(path);
        var written = File.GetLastWriteTimeUtc(path);

        // Same size, same write time: the registration's verification stands, the content is not read again.
        var flipped = (byte[])original.Clone();
        flipped[^1] ^= 0xFF;
        await File.WriteAllBytesAsync(path, flipped);
        File.SetLastWriteTimeUtc(path, written);
        await _store.VerifyAsync(entry, default);

        // A new write time: hashed again, and the change is found.
        File.SetLastWriteTimeUtc(path, written.AddSeconds(1));
        var error = await Assert.ThrowsAsync<Atelier.Models.Manifest.ModelManifestException>(() => _store.VerifyAsync(entry, default));
        Assert.Contains("does not match its sha256", error.Message, StringComparison.Ordinal);

        // Restored content verifies, and a failed file is never taken as verified afterwards.
        await File.WriteAllBytesAsync(path, original);
        await _store.VerifyAsync(entry, default);
        await File.WriteAllBytesAsync(path, [.. original, 0]);
        await Assert.ThrowsAsync<Atelier.Models.Manifest.ModelManifestException>(() => _store.VerifyAsync(entry, default));
    }

    public static TheoryData<string, byte[], string> RejectedArchives()
    {
        var good = IsnetModel("bad");
        var data = new TheoryData<string, byte[], string>
        {
            { "path traversal", TarGz(new Dictionary<string, byte[]>(good) { ["../evil.txt"] = [1] }), "unsafe path" },
            { "absolute path", TarGz(new Dictionary<string, byte[]>(good) { ["/etc/evil"] = [1] }), "unsafe path" },
            { "nested traversal", Zip(new Dictionary<string, byte[]>(good) { ["a/../../evil"] = [1] }), "unsafe path" },
            { "symbolic link", TarGz(good, t => t.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "link") { LinkName = "/etc/passwd" })), "link" },
            { "hard link", TarGz(good, t => t.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "hard") { LinkName = "model.onnx" })), "link" },
            { "device file", TarGz(good, t => t.WriteEntry(new PaxTarEntry(TarEntryType.CharacterDevice, "dev") { DeviceMajor = 1, DeviceMinor = 3 })), "device" },
            { "zip symlink", Zip(good, z => z.CreateEntry("link").ExternalAttributes = unchecked((int)(0xA1FFu << 16))), "link" },
            { "not an archive", Encoding.ASCII.GetBytes("plain text, not an archive"), "magic bytes" },
            { "empty body", [], "empty" },
            { "corrupt gzip", [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 3, 0xDE, 0xAD], "corrupt" },
            { "no manifest", TarGz(new Dictionary<string, byte[]> { ["model.onnx"] = [1, 2, 3] }), "model.json" },
            { "unknown manifest field", TarGz(new Dictionary<string, byte[]>(good) { ["model.json"] = Encoding.UTF8.GetBytes("""{"id":"bad","kind":"isnet","version":"1","files":{},"extra":1}""") }), "extra" },
            { "sha mismatch", TarGz(new Dictionary<string, byte[]>(good) { ["model.onnx"] = Payload("other") }), "does not match its sha256" },
            { "id mismatch", TarGz(IsnetModel("other-id")), "does not match the id" },
            { "duplicate entry", TarGz(good, t => t.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "model.onnx") { DataStream = new MemoryStream([1]) })), "twice" },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(RejectedArchives))]
    public async Task Bad_archives_are_rejected_clearly_and_leave_the_store_unchanged(string name, byte[] archive, string expected)
    {
        await Register(TarGz(IsnetModel("bad", version: "original")), "bad");

        var error = await Assert.ThrowsAsync<ModelRegistrationException>(() => Register(archive, "bad"));

        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{name}: '{error.Message}' should mention '{expected}'");
        AssertStoreHoldsOnlyTheOriginal();
    }

    [Fact]
    public async Task Oversize_archive_is_rejected_while_reading()
    {
        using var store = Create(new ModelStoreOptions { MaxArchiveBytes = 1024 });

        var error = await Assert.ThrowsAsync<ModelRegistrationException>(() =>
            store.RegisterAsync(new MemoryStream(TarGz(IsnetModel("big"))), "big", default));

        Assert.Equal("archive_too_large", error.Code);
        Assert.Empty(await store.ListAsync(default));
    }

    [Fact]
    public async Task Archive_that_expands_past_the_extracted_limit_is_rejected()
    {
        using var store = Create(new ModelStoreOptions { MaxExtractedBytes = 100_000 });
        var bomb = new Dictionary<string, byte[]>(IsnetModel("bomb")) { ["zeros.bin"] = new byte[1_000_000] }; // compresses to ~1 KB

        var error = await Assert.ThrowsAsync<ModelRegistrationException>(() => store.RegisterAsync(new MemoryStream(Zip(bomb)), "bomb", default));

        Assert.Equal("archive_too_large", error.Code);
    }

    [Fact]
    public async Task Archive_with_too_many_entries_is_rejected()
    {
        using var store = Create(new ModelStoreOptions { MaxEntries = 4 });
        var many = new Dictionary<string, byte[]>(IsnetModel("many"));
        for (var i = 0; i < 5; i++)
        {
            many[$"extra{i}.txt"] = [1];
        }

        var error = await Assert.ThrowsAsync<ModelRegistrationException>(() => store.RegisterAsync(new MemoryStream(TarGz(many)), "many", default));

        Assert.Contains("more than 4 entries", error.Message, StringComparison.Ordinal);
    }

    private async Task<ModelRegistration> Register(byte[] archive, string? expectedId) =>
        await _store.RegisterAsync(new MemoryStream(archive), expectedId, default);

    private void AssertStoreHoldsOnlyTheOriginal()
    {
        var entry = Assert.Single(_store.ListAsync(default).GetAwaiter().GetResult());
        Assert.Equal("original", entry.Manifest.Version);
        Assert.Empty(Directory.Exists(Path.Combine(_root, ".staging")) ? Directory.GetFileSystemEntries(Path.Combine(_root, ".staging")) : []);
        Assert.Equal(["bad"], Directory.GetDirectories(_root).Select(Path.GetFileName).Where(n => !n!.StartsWith('.')));
    }

    /// <summary>The test's main store uses the root; stores with other limits get their own sub-folder.</summary>
    private FileSystemModelStore Create(ModelStoreOptions options, bool main = false)
    {
        options.RootPath = main ? _root : Path.Combine(_root, ".other-" + Guid.NewGuid().ToString("N"));
        return new FileSystemModelStore(Options.Create(options), NullLogger<FileSystemModelStore>.Instance);
    }
}
