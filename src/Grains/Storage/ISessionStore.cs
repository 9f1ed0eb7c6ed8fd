namespace Atelier.Grains.Storage;

/// <summary>
/// Where sessions are written through so another silo can reactivate them. In-memory in embedded mode;
/// Redis in cluster mode. Writes replace the whole record (versions are few and bounded).
/// </summary>
public interface ISessionStore
{
    /// <summary>
    /// Writes <paramref name="session"/> if the stored record is still at <see cref="StoredSession.Revision"/>, or there is
    /// none (a new session, or one expired from the store); returns the new revision. Throws
    /// <see cref="SessionStoreConflictException"/> when another writer stored a newer revision first.
    /// </summary>
    Task<long> SaveAsync(StoredSession session, CancellationToken cancellationToken);

    /// <summary>The session, or null when unknown (never opened, closed or expired).</summary>
    Task<StoredSession?> LoadAsync(string id, CancellationToken cancellationToken);

    Task DeleteAsync(string id, CancellationToken cancellationToken);
}
