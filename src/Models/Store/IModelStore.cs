namespace Atelier.Models.Store;

/// <summary>
/// Where registered models live. Listing reads manifests only (cheap for thousands of models);
/// file checksums are verified by <see cref="VerifyAsync"/> when a model is loaded.
/// </summary>
public interface IModelStore
{
    Task<IReadOnlyList<ModelEntry>> ListAsync(CancellationToken cancellationToken);

    /// <summary>The model with that id, or null.</summary>
    Task<ModelEntry?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Registers (or replaces) a model from an archive holding <c>model.json</c> and its files, at the
    /// root or under one top-level folder. Atomic: the archive is extracted to a staging folder,
    /// validated and verified there, then swapped in; on any failure the store is unchanged.
    /// </summary>
    /// <param name="expectedId">When given, the manifest's id must equal it (the id in the URL).</param>
    Task<ModelRegistration> RegisterAsync(Stream archive, string? expectedId, CancellationToken cancellationToken);

    /// <summary>
    /// Registers (or replaces) a model from a folder on disk holding <c>model.json</c> and its files; copied into the
    /// store with the same guarantees as <see cref="RegisterAsync"/>.
    /// </summary>
    Task<ModelRegistration> RegisterFolderAsync(string folder, CancellationToken cancellationToken);

    /// <summary>Deletes a model; false when there was none.</summary>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Checks every file of a model against its manifest sha256; throws naming the first bad file. A store may skip a
    /// file it verified before whose size and modification time have not changed since.
    /// </summary>
    Task VerifyAsync(ModelEntry entry, CancellationToken cancellationToken);
}

/// <summary>Outcome of a registration.</summary>
/// <param name="Entry">The registered model.</param>
/// <param name="Replaced">True when a model with that id existed and was replaced.</param>
public sealed record ModelRegistration(ModelEntry Entry, bool Replaced);
