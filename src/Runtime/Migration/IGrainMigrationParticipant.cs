namespace Atelier.Runtime;

/// <summary>
/// Implemented by a grain whose in-memory state should move with it when it migrates to another silo
/// (a session's image versions and cached embedding). Dehydration runs after <see cref="Grain.OnDeactivateAsync"/>
/// on the old silo; rehydration runs on the new silo before <see cref="Grain.OnActivateAsync"/>.
/// </summary>
public interface IGrainMigrationParticipant
{
    /// <summary>Writes the state to carry.</summary>
    void OnDehydrate(IDehydrationContext dehydrationContext);

    /// <summary>Reads the carried state back.</summary>
    void OnRehydrate(IRehydrationContext rehydrationContext);
}

/// <summary>Collects named values for migration. Byte values travel as raw bytes.</summary>
public interface IDehydrationContext
{
    /// <summary>Keys added so far.</summary>
    IEnumerable<string> Keys { get; }

    /// <summary>Adds raw bytes (an embedding, an encoded image). Returns false if the key exists.</summary>
    bool TryAddBytes(string key, ReadOnlyMemory<byte> value);

    /// <summary>Adds a value serialized with the runtime's serializer. Returns false if the key exists.</summary>
    bool TryAddValue<T>(string key, T? value);
}

/// <summary>Reads values carried by a migration.</summary>
public interface IRehydrationContext
{
    /// <summary>Keys present.</summary>
    IEnumerable<string> Keys { get; }

    /// <summary>Reads raw bytes.</summary>
    bool TryGetBytes(string key, out ReadOnlyMemory<byte> value);

    /// <summary>Reads a value written with <see cref="IDehydrationContext.TryAddValue{T}"/>.</summary>
    bool TryGetValue<T>(string key, out T? value);
}
