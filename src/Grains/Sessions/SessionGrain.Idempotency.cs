using Atelier.Grains.Storage;
using Atelier.Imaging;

namespace Atelier.Grains.Sessions;

/// <summary>
/// Idempotency keys of edits (HTTP <c>Idempotency-Key</c>, carried in <see cref="CallContext.IdempotencyKey"/>):
/// a key already answered returns the same answer without running the edit again. Answers are kept in memory for the
/// last <see cref="SessionOptions.MaxRememberedEdits"/> keys; keys of edits that produced a version are also saved with
/// the session, so a retry that reaches a reactivated session on another silo after a failover is answered from the
/// store (the image of the version it produced) instead of erasing twice.
/// </summary>
internal sealed partial class SessionGrain
{
    private readonly Dictionary<string, (string Operation, object Result)> _replies = new(StringComparer.Ordinal);
    private readonly Queue<string> _replyOrder = new();

    private static string? IdempotencyKey => CallContext.Get(CallContext.IdempotencyKey);

    /// <summary>The answer already given under the caller's key for <paramref name="operation"/>, if any.</summary>
    private bool TryReplay<T>(string operation, out T result)
        where T : class
    {
        result = null!;
        if (IdempotencyKey is not { } key)
        {
            return false;
        }

        if (_replies.TryGetValue(key, out var reply))
        {
            result = reply.Operation == operation ? (T)reply.Result : throw KeyReused(key, reply.Operation);
            return true;
        }

        foreach (var applied in _record!.AppliedEdits)
        {
            if (string.Equals(applied.Key, key, StringComparison.Ordinal))
            {
                result = applied.Operation == operation ? (T)Rebuild(applied) : throw KeyReused(key, applied.Operation);
                return true;
            }
        }

        return false;
    }

    /// <summary>Keeps <paramref name="result"/> as the answer to the caller's key (no-op without a key).</summary>
    private T Remember<T>(string operation, T result)
        where T : class
    {
        if (IdempotencyKey is { } key && _replies.TryAdd(key, (operation, result)))
        {
            _replyOrder.Enqueue(key);
            while (_replyOrder.Count > _options.MaxRememberedEdits)
            {
                _replies.Remove(_replyOrder.Dequeue());
            }
        }

        return result;
    }

    /// <summary>The keys to save with a new version: the previous ones plus the caller's, newest last, bounded.</summary>
    private IReadOnlyList<AppliedEdit> AppliedEditsWith(string operation, int version)
    {
        var edits = _record!.AppliedEdits;
        if (IdempotencyKey is not { } key)
        {
            return edits;
        }

        var skip = Math.Max(0, edits.Count + 1 - _options.MaxRememberedEdits);
        return [.. edits.Skip(skip), new AppliedEdit(key, operation, version)];
    }

    /// <summary>The answer of an edit applied by an earlier activation (before a failover), rebuilt from the store.</summary>
    private object Rebuild(AppliedEdit applied)
    {
        if (applied.Operation is not (EditOperations.Erase or EditOperations.Replace))
        {
            return Info();
        }

        var history = _history!;
        var index = applied.Version - history.Trimmed;
        var png = index >= 0 && index < history.Encoded.Count ? history.Encoded[index] : PngEncoder.Encode(history.Image);
        return new EditResult(png, Info(), 0);
    }

    private static InvalidPromptException KeyReused(string key, string operation) =>
        new($"Idempotency-Key: '{key}' was already used for {operation} in this session; use a new key for another edit.");

    /// <summary>Operation names stored with idempotency keys.</summary>
    private static class EditOperations
    {
        public const string Erase = "erase";
        public const string ErasePreview = "erase-preview";
        public const string Replace = "replace";
        public const string Undo = "undo";
        public const string Redo = "redo";
        public const string SelectSubject = "select-subject";
    }
}
