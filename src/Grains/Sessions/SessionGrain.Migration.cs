using System.Buffers;
using System.Runtime.InteropServices;
using Atelier.Grains.Storage;
using Atelier.Imaging;

namespace Atelier.Grains.Sessions;

/// <summary>
/// Migration (graceful drain, explicit moves): the session travels with its image versions, version pointer,
/// selection, refine logits and its cached SAM embedding as raw bytes (float32 or float16, as cached), so the
/// target silo answers the next click without running the encoder. Order on the old silo:
/// <see cref="OnDeactivateAsync"/> (reason <see cref="DeactivationReasonCode.Migrating"/>, or <see cref="DeactivationReasonCode.ShuttingDown"/>
/// with another silo active, where it asks for the migration itself: keeps everything),
/// <see cref="OnDehydrate"/> (copies it out, then releases it); on the new silo <see cref="OnRehydrate"/> (adopts the
/// embedding into the device budget, or leaves it to be re-encoded lazily when there is no room) then
/// <see cref="OnActivateAsync"/> (resumes instead of reading the store).
/// </summary>
internal sealed partial class SessionGrain : IGrainMigrationParticipant
{
    private const string StateKey = "session";
    private const string VersionKeyPrefix = "v";
    private const string EmbeddingKey = "embedding";
    private const string EmbeddingDescriptorKey = "embedding-descriptor";
    private const string SelectionKey = "selection";
    private const string LowResKey = "low-res";

    private MigratedSession? _resumed;

    public void OnDehydrate(IDehydrationContext dehydrationContext)
    {
        ArgumentNullException.ThrowIfNull(dehydrationContext);
        try
        {
            if (_record is not { } record || _closed || _history is not { } history)
            {
                return; // nothing live: the target reads the store (or answers session_not_found)
            }

            var versions = history.Encoded;
            for (var i = 0; i < versions.Count; i++)
            {
                dehydrationContext.AddBytes(VersionKeyPrefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture), versions[i]);
            }

            if (_embedding is { } embedding && embedding.Version == history.Current && !embedding.Lease.IsReleased
                && embedding.Export() is { } exported)
            {
                dehydrationContext.AddBytes(EmbeddingKey, exported.Bytes);
                dehydrationContext.TryAddValue(EmbeddingDescriptorKey, exported.Descriptor);
            }

            if (_selection is { } selection)
            {
                dehydrationContext.AddBytes(SelectionKey, selection.Data.ToArray());
            }

            if (_lowRes is { } lowRes)
            {
                dehydrationContext.AddBytes(LowResKey, MemoryMarshal.AsBytes(lowRes.AsSpan()).ToArray());
            }

            dehydrationContext.TryAddValue(StateKey, new MigratedSession(
                record with { Versions = [] }, versions.Count, history.Current, history.Trimmed, _lastAccess,
                _selection?.Width ?? 0, _selection?.Height ?? 0));
        }
        finally
        {
            ReleaseAll(); // the state now lives in the context (copies); this activation keeps nothing
        }
    }

    public void OnRehydrate(IRehydrationContext rehydrationContext)
    {
        ArgumentNullException.ThrowIfNull(rehydrationContext);
        if (!rehydrationContext.TryGetValue<MigratedSession>(StateKey, out var state) || state is null)
        {
            return;
        }

        var versions = new byte[state.VersionCount][];
        for (var i = 0; i < versions.Length; i++)
        {
            if (!rehydrationContext.TryGetBytes(VersionKeyPrefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture), out var bytes))
            {
                return; // incomplete: OnActivateAsync restores from the store instead
            }

            versions[i] = bytes.ToArray();
        }

        var history = NewHistory();
        history.Reset(versions, state.Current, state.Trimmed, decodedCurrent: null);
        _history = history;
        _record = state.Record with { Versions = versions, Current = state.Current, FirstVersion = state.Trimmed };
        _resumed = state;
        if (state.SelectionWidth > 0 && rehydrationContext.TryGetBytes(SelectionKey, out var selection)
            && selection.Length == state.SelectionWidth * state.SelectionHeight)
        {
            var mask = new Mask(state.SelectionWidth, state.SelectionHeight, clear: false);
            selection.CopyTo(mask.Data);
            _selection = mask;
        }

        if (rehydrationContext.TryGetBytes(LowResKey, out var lowRes) && lowRes.Length % sizeof(float) == 0)
        {
            _lowRes = MemoryMarshal.Cast<byte, float>(lowRes.ToArray().AsSpan()).ToArray();
        }

        if (rehydrationContext.TryGetBytes(EmbeddingKey, out var embedding)
            && rehydrationContext.TryGetValue<EmbeddingDescriptor>(EmbeddingDescriptorKey, out var descriptor)
            && descriptor is not null && descriptor.Version == state.Current)
        {
            // No room on this silo: null, and the next click re-encodes (the session never fails for it).
            _embedding = CachedEmbedding.Adopt(models.Memory, $"{Id}/embedding", Contiguous(embedding), descriptor);
            LogRehydrated(logger, Id, _embedding is null ? "none (re-encodes on next use)" : _embedding.Lease.Tier.ToString());
        }
    }

    /// <summary>From <see cref="OnActivateAsync"/>: a rehydrated session resumes (TTL clock as it was) instead of
    /// reading the store. False when nothing was rehydrated.</summary>
    private bool ResumeMigrated()
    {
        if (_resumed is not { } resumed)
        {
            return false;
        }

        _resumed = null;
        Started();
        _lastAccess = resumed.LastAccess;
        return true;
    }

    /// <summary>The bytes of one migration entry as one span (one copy only when the entry arrived in several segments).</summary>
    private static ReadOnlySpan<byte> Contiguous(in ReadOnlySequence<byte> bytes) => bytes.IsSingleSegment ? bytes.FirstSpan : bytes.ToArray();

    /// <summary>What travels as one Orleans-serialized value besides the raw byte entries.</summary>
    [GenerateSerializer, Alias("atelier.migrated-session")]
    internal sealed record MigratedSession(
        StoredSession Record, int VersionCount, int Current, int Trimmed, DateTimeOffset LastAccess, int SelectionWidth, int SelectionHeight);
}
