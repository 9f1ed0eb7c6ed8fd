using System.Security.Cryptography;
using System.Text;

namespace Atelier.Setup.Tests;

public sealed class VerifiedFileTests
{
    private static readonly byte[] Content = Encoding.ASCII.GetBytes("the pinned content");
    private static readonly string ContentSha = Convert.ToHexStringLower(SHA256.HashData(Content));

    [Fact]
    public async Task Missing_file_is_fetched_and_verified()
    {
        using var dir = new TempDirectory();
        var target = dir.Combine("lib.so");
        var fetches = 0;

        var outcome = await VerifiedFile.EnsureAsync(target, ContentSha, Content.Length, Produce(() => fetches++), CancellationToken.None);

        Assert.Equal(VerifiedFile.Outcome.Fetched, outcome);
        Assert.Equal(1, fetches);
        Assert.Equal(Content, await File.ReadAllBytesAsync(target));
    }

    [Fact]
    public async Task Valid_cached_file_is_kept_without_fetching()
    {
        using var dir = new TempDirectory();
        var target = dir.Combine("lib.so");
        await File.WriteAllBytesAsync(target, Content);
        var fetches = 0;

        var outcome = await VerifiedFile.EnsureAsync(target, ContentSha, Content.Length, Produce(() => fetches++), CancellationToken.None);

        Assert.Equal(VerifiedFile.Outcome.Cached, outcome);
        Assert.Equal(0, fetches);
    }

    [Fact]
    public async Task Corrupted_cached_file_of_the_right_size_is_detected_and_fetched_again()
    {
        using var dir = new TempDirectory();
        var target = dir.Combine("lib.so");
        var corrupted = (byte[])Content.Clone();
        corrupted[3] ^= 0x01; // one flipped bit, same size
        await File.WriteAllBytesAsync(target, corrupted);
        var fetches = 0;

        var outcome = await VerifiedFile.EnsureAsync(target, ContentSha, Content.Length, Produce(() => fetches++), CancellationToken.None);

        Assert.Equal(VerifiedFile.Outcome.Refetched, outcome);
        Assert.Equal(1, fetches);
        Assert.Equal(Content, await File.ReadAllBytesAsync(target));
    }

    [Fact]
    public async Task Fetched_content_with_the_wrong_sha256_is_refused_and_not_left_behind()
    {
        using var dir = new TempDirectory();
        var target = dir.Combine("lib.so");

        var error = await Assert.ThrowsAsync<SetupException>(() => VerifiedFile.EnsureAsync(
            target, ContentSha, size: null, (tmp, ct) => File.WriteAllTextAsync(tmp, "tampered content!!", ct), CancellationToken.None));

        Assert.Contains("does not match the pinned", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task Fetched_content_with_the_wrong_size_is_refused()
    {
        using var dir = new TempDirectory();
        var target = dir.Combine("model.onnx");

        var error = await Assert.ThrowsAsync<SetupException>(() => VerifiedFile.EnsureAsync(
            target, ContentSha, Content.Length + 1, Produce(() => { }), CancellationToken.None));

        Assert.Contains($"expected {Content.Length + 1:N0} bytes", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
    }

    private static Func<string, CancellationToken, Task> Produce(Action onFetch) => (tmp, ct) =>
    {
        onFetch();
        return File.WriteAllBytesAsync(tmp, Content, ct);
    };
}
