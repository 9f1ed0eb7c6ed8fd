using System.Collections.Concurrent;

namespace Atelier.Grains.Storage;

/// <summary>The embedded-mode session store: a dictionary in this process (lost with it), with the same revision check as Redis.</summary>
public sealed class InMemorySessionStore : ISessionStore
{
    private readonly ConcurrentDictionary<string, StoredSession> _sessions = new(StringComparer.Ordinal);
    private readonly Lock _writes = new();

    /// <summary>Sessions stored now.</summary>
    public int Count => _sessions.Count;

    public Task<long> SaveAsync(StoredSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        lock (_writes)
        {
            if (_sessions.TryGetValue(session.Id, out var stored) && stored.Revision != session.Revision)
            {
                throw new SessionStoreConflictException($"Session {session.Id} is at revision {stored.Revision} in the store, not {session.Revision}.");
            }

            var revision = session.Revision + 1;
            _sessions[session.Id] = session with { Revision = revision };
            return Task.FromResult(revision);
        }
    }

    public Task<StoredSession?> LoadAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult(_sessions.TryGetValue(id, out var session) ? session : null);

    public Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        _sessions.TryRemove(id, out _);
        return Task.CompletedTask;
    }
}
