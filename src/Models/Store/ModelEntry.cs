using Atelier.Models.Manifest;

namespace Atelier.Models.Store;

/// <summary>A registered model: its manifest, its folder, and the total size of its files on disk.</summary>
public sealed record ModelEntry(ModelManifest Manifest, string Directory, long SizeBytes, DateTimeOffset RegisteredAt)
{
    public string Id => Manifest.Id;

    /// <summary>Absolute path of the file with the given role.</summary>
    public string PathOf(string role) =>
        Manifest.Files.TryGetValue(role, out var file)
            ? Path.Combine(Directory, file.Path)
            : throw new ModelManifestException($"Model '{Id}' has no '{role}' file.");
}
