using Atelier.Setup.Steps;

namespace Atelier.Setup.Tests;

public sealed class OnnxRuntimeStepTests
{
    private const string Entry = "package/bin/napi-v6/linux/x64/libonnxruntime.so.1";

    [Fact]
    public async Task Library_is_extracted_from_the_package_then_served_from_the_cache()
    {
        using var dir = new TempDirectory();
        var library = MakeLibraryBytes();
        var package = LocalNpmPackage.Create(dir.Path, "fake-ort", new Dictionary<string, byte[]> { ["bin/napi-v6/linux/x64/libonnxruntime.so.1"] = library });
        var log = new StringWriter();
        var context = new SetupContext(dir.Combine(".atelier"), log);
        var step = new OnnxRuntimeStep(package, Entry, LocalNpmPackage.Sha256(library));

        await step.RunAsync(context, CancellationToken.None);
        await step.RunAsync(context, CancellationToken.None);

        Assert.Equal(library, await File.ReadAllBytesAsync(OnnxRuntimeStep.LibraryPath(context)));
        var lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines, l => l.Contains("extracting", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("ok (cached", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Corrupted_cached_library_is_detected_and_extracted_again()
    {
        using var dir = new TempDirectory();
        var library = MakeLibraryBytes();
        var package = LocalNpmPackage.Create(dir.Path, "fake-ort", new Dictionary<string, byte[]> { ["bin/napi-v6/linux/x64/libonnxruntime.so.1"] = library });
        var log = new StringWriter();
        var context = new SetupContext(dir.Combine(".atelier"), log);
        var step = new OnnxRuntimeStep(package, Entry, LocalNpmPackage.Sha256(library));
        await step.RunAsync(context, CancellationToken.None);

        var path = OnnxRuntimeStep.LibraryPath(context);
        var corrupted = (byte[])library.Clone();
        corrupted[100] ^= 0xFF;
        await File.WriteAllBytesAsync(path, corrupted);
        await step.RunAsync(context, CancellationToken.None);

        Assert.Equal(library, await File.ReadAllBytesAsync(path));
        Assert.Contains("cached copy was corrupt", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Package_whose_library_does_not_match_the_pin_fails_setup_and_leaves_no_library()
    {
        using var dir = new TempDirectory();
        var package = LocalNpmPackage.Create(dir.Path, "fake-ort", new Dictionary<string, byte[]> { ["bin/napi-v6/linux/x64/libonnxruntime.so.1"] = MakeLibraryBytes() });
        var context = new SetupContext(dir.Combine(".atelier"), new StringWriter());
        var step = new OnnxRuntimeStep(package, Entry, new string('0', 64));

        var error = await Assert.ThrowsAsync<SetupException>(() => step.RunAsync(context, CancellationToken.None));

        Assert.Contains("does not match the pinned", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(OnnxRuntimeStep.LibraryPath(context)));
    }

    private static byte[] MakeLibraryBytes()
    {
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        return bytes;
    }
}
