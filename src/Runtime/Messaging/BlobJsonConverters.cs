using System.Text.Json;
using System.Text.Json.Serialization;

namespace Atelier.Runtime;

/// <summary>
/// Byte payloads anywhere in an argument (a <c>byte[]</c> inside a record, an embedding) are not written into the
/// JSON: the converter appends them to the frame's raw blob list and writes only the blob's index. Outside a frame
/// (no active blob scope) it falls back to base64 so values stay serializable elsewhere.
/// </summary>
internal sealed class ByteArrayBlobConverter : JsonConverter<byte[]>
{
    public override byte[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Number ? PayloadSerializer.GetBlob(reader.GetInt32()).ToArray() : reader.GetBytesFromBase64();

    public override void Write(Utf8JsonWriter writer, byte[] value, JsonSerializerOptions options)
    {
        if (PayloadSerializer.TryAddBlob(value, out var index))
        {
            writer.WriteNumberValue(index);
        }
        else
        {
            writer.WriteBase64StringValue(value);
        }
    }
}

/// <summary><see cref="ByteArrayBlobConverter"/> for <see cref="ReadOnlyMemory{T}"/>; reading returns a slice of the
/// received frame (no copy).</summary>
internal sealed class ReadOnlyMemoryBlobConverter : JsonConverter<ReadOnlyMemory<byte>>
{
    public override ReadOnlyMemory<byte> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Number ? PayloadSerializer.GetBlob(reader.GetInt32()) : reader.GetBytesFromBase64();

    public override void Write(Utf8JsonWriter writer, ReadOnlyMemory<byte> value, JsonSerializerOptions options)
    {
        if (PayloadSerializer.TryAddBlob(value, out var index))
        {
            writer.WriteNumberValue(index);
        }
        else
        {
            writer.WriteBase64StringValue(value.Span);
        }
    }
}

/// <summary><see cref="ByteArrayBlobConverter"/> for <see cref="Memory{T}"/> (reading copies: the memory is writable).</summary>
internal sealed class MemoryBlobConverter : JsonConverter<Memory<byte>>
{
    public override Memory<byte> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Number ? PayloadSerializer.GetBlob(reader.GetInt32()).ToArray() : reader.GetBytesFromBase64();

    public override void Write(Utf8JsonWriter writer, Memory<byte> value, JsonSerializerOptions options)
    {
        if (PayloadSerializer.TryAddBlob(value, out var index))
        {
            writer.WriteNumberValue(index);
        }
        else
        {
            writer.WriteBase64StringValue(value.Span);
        }
    }
}
