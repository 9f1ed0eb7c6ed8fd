namespace Atelier.Grains.Storage;

/// <summary>A session write lost to a newer revision stored by another writer (<see cref="ISessionStore.SaveAsync"/>).</summary>
public sealed class SessionStoreConflictException : Exception
{
    public SessionStoreConflictException() { }

    public SessionStoreConflictException(string message) : base(message) { }

    public SessionStoreConflictException(string message, Exception innerException) : base(message, innerException) { }
}
