namespace Atelier.Models.Manifest;

/// <summary>
/// The content of a model folder's <c>model.json</c>: what the model is, its files with checksums,
/// and its input convention. Unknown fields are rejected (a typo must not silently change behaviour).
/// </summary>
public sealed record ModelManifest
{
    /// <summary>The manifest file name inside a model folder.</summary>
    public const string FileName = "model.json";

    /// <summary>Model id: 1–64 characters of <c>a-z 0-9 . _ -</c>, starting with a letter or digit.</summary>
    public required string Id { get; init; }

    public required ModelKind Kind { get; init; }

    /// <summary>Free-form version label of the export, e.g. <c>1.0.0</c>.</summary>
    public required string Version { get; init; }

    /// <summary>Files by role. Required roles depend on <see cref="Kind"/> (see <see cref="ModelManifestValidator"/>).</summary>
    public required IReadOnlyDictionary<string, ModelFile> Files { get; init; }

    /// <summary>Owning tenant for per-user models; null for models every tenant may use.</summary>
    public string? Tenant { get; init; }

    /// <summary>One line for people: what the model is. Demo models say so here.</summary>
    public string? Description { get; init; }

    /// <summary>True for the generated demo models (same interface as the real ones, not their quality).</summary>
    public bool Demo { get; init; }

    /// <summary>Bytes the model occupies when loaded, when known better than the sum of its file sizes.</summary>
    public long? DeclaredBytes { get; init; }

    /// <summary>Settings for <see cref="ModelKind.Sam"/>; defaults apply when absent.</summary>
    public SamSettings? Sam { get; init; }

    /// <summary>Settings for <see cref="ModelKind.Lama"/>; defaults apply when absent.</summary>
    public LamaSettings? Lama { get; init; }

    /// <summary>Settings for <see cref="ModelKind.SdInpaint"/>; defaults apply when absent.</summary>
    public SdInpaintSettings? SdInpaint { get; init; }
}
