using System.Text.Json;

namespace Atelier.Runtime;

/// <summary>The dehydrated state of one activation: key → bytes (values are UTF-8 JSON, bytes are raw).</summary>
internal sealed class MigrationContext : IDehydrationContext, IRehydrationContext
{
    private readonly Dictionary<string, ReadOnlyMemory<byte>> _values = new(StringComparer.Ordinal);

    public IEnumerable<string> Keys => _values.Keys;

    internal IReadOnlyDictionary<string, ReadOnlyMemory<byte>> Values => _values;

    public bool TryAddBytes(string key, ReadOnlyMemory<byte> value)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _values.TryAdd(key, value);
    }

    public bool TryAddValue<T>(string key, T? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        return !_values.ContainsKey(key) && _values.TryAdd(key, JsonSerializer.SerializeToUtf8Bytes(value, PayloadSerializer.JsonOptions));
    }

    public bool TryGetBytes(string key, out ReadOnlyMemory<byte> value) => _values.TryGetValue(key, out value);

    public bool TryGetValue<T>(string key, out T? value)
    {
        if (_values.TryGetValue(key, out var bytes))
        {
            value = JsonSerializer.Deserialize<T>(bytes.Span, PayloadSerializer.JsonOptions);
            return true;
        }

        value = default;
        return false;
    }

    internal void Set(string key, ReadOnlyMemory<byte> value) => _values[key] = value;
}
