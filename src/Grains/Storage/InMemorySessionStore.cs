using System.Collections.Concurrent;

namespace Atelier.Grains.Storage;

/// <summary>The embedded-mode session store: a dictionary in this process (lost with it).</summary>
public sealed class InMemorySessionStore : ISessionStore
{
    private readonly ConcurrentDictionary<string, StoredSession> _sessions = new(StringComparer.Ordinal);

    /// <summary>Sessions stored now.</summary>
    public int Count => _sessions.Count;

    public Task SaveAsync(StoredSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        _sessions[session.Id] = session;
        return Task.CompletedTask;
    }

    public Task<StoredSession?> LoadAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult(_sessions.TryGetValue(id, out var session) ? session : null);

    public Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        _sessions.TryRemove(id, out _);
        return Task.CompletedTask;
    }
}
