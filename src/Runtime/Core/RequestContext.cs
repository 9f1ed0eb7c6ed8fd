using System.Collections.Immutable;

namespace Atelier.Runtime;

/// <summary>
/// Ambient key/value pairs (tenant, trace id, placement hints) that flow with a grain call: into the callee's
/// turn on the same silo and, serialized with the call, to other silos. Backed by an <see cref="AsyncLocal{T}"/>
/// holding an immutable map, so a callee's changes never leak back into the caller.
/// </summary>
public static class RequestContext
{
    /// <summary>Well-known key: the tenant of the request.</summary>
    public const string TenantKey = "atelier.tenant";

    /// <summary>Well-known key: the trace id (W3C trace-id or any correlation id).</summary>
    public const string TraceIdKey = "atelier.trace-id";

    /// <summary>
    /// Well-known key: the client's idempotency key of an edit. A grain that honours it applies one key once, so the
    /// runtime may retry such a call after the silo it was in flight to died (see <see cref="IdempotentAttribute"/>).
    /// </summary>
    public const string IdempotencyKey = "atelier.idempotency-key";

    private static readonly AsyncLocal<ImmutableDictionary<string, string>?> Local = new();

    /// <summary>The current map (null when empty); captured by the runtime when a call is sent.</summary>
    internal static ImmutableDictionary<string, string>? Current
    {
        get => Local.Value;
        set => Local.Value = value is { Count: > 0 } ? value : null;
    }

    /// <summary>The value for <paramref name="key"/>, or null.</summary>
    public static string? Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Local.Value is { } map && map.TryGetValue(key, out var value) ? value : null;
    }

    /// <summary>Sets <paramref name="key"/> for the current async flow and every call it makes.</summary>
    public static void Set(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        Local.Value = (Local.Value ?? ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal)).SetItem(key, value);
    }

    /// <summary>Removes <paramref name="key"/>; returns whether it was present.</summary>
    public static bool Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (Local.Value is not { } map || !map.ContainsKey(key))
        {
            return false;
        }

        Current = map.Remove(key);
        return true;
    }

    /// <summary>Removes every key.</summary>
    public static void Clear() => Local.Value = null;

    /// <summary>A copy of the current pairs.</summary>
    public static IReadOnlyDictionary<string, string> Snapshot() =>
        Local.Value ?? ImmutableDictionary<string, string>.Empty;
}
