using System.Text.Json;
using System.Text.Json.Serialization;

namespace Atelier.Runtime;

/// <summary>
/// Serializes call arguments and results. A value is written as <c>[int32 jsonLength][UTF-8 JSON]
/// [int32 blobCount]{[int32 length][raw bytes]}</c>: System.Text.Json for the shape, and every byte payload in the
/// object graph (<c>byte[]</c>, <c>ReadOnlyMemory&lt;byte&gt;</c>, <c>Memory&lt;byte&gt;</c>) as a raw blob after it,
/// never base64 and never a JSON array.
/// </summary>
internal static class PayloadSerializer
{
    [ThreadStatic]
    private static List<ReadOnlyMemory<byte>>? t_outgoing;

    [ThreadStatic]
    private static bool t_collecting;

    [ThreadStatic]
    private static ReadOnlyMemory<byte>[]? t_incoming;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public static JsonSerializerOptions JsonOptions { get; } = CreateOptions();

    public static void Write(FrameWriter writer, object? value, Type type)
    {
        var blobs = t_outgoing ??= [];
        blobs.Clear();
        var lengthAt = writer.ReserveInt32();
        var start = writer.Position;
        var json = t_writer;
        if (json is null)
        {
            json = t_writer = new Utf8JsonWriter(writer);
        }
        else
        {
            json.Reset(writer);
        }

        t_collecting = true;
        try
        {
            JsonSerializer.Serialize(json, value, type, JsonOptions);
            json.Flush();
        }
        finally
        {
            t_collecting = false;
            json.Reset(Stream.Null);
        }

        writer.PatchInt32(lengthAt, writer.Position - start);
        writer.WriteInt32(blobs.Count);
        foreach (var blob in blobs)
        {
            writer.WriteBytes(blob.Span);
        }

        blobs.Clear();
    }

    public static object? Read(ref FrameReader reader, Type type)
    {
        var json = reader.ReadBytes();
        var count = reader.ReadInt32();
        if (count < 0)
        {
            throw new InvalidDataException("Frame: negative blob count.");
        }

        var blobs = count == 0 ? [] : new ReadOnlyMemory<byte>[count];
        for (var i = 0; i < count; i++)
        {
            blobs[i] = reader.ReadBytes();
        }

        var previous = t_incoming;
        t_incoming = blobs;
        try
        {
            return JsonSerializer.Deserialize(json.Span, type, JsonOptions);
        }
        finally
        {
            t_incoming = previous;
        }
    }

    internal static bool TryAddBlob(ReadOnlyMemory<byte> value, out int index)
    {
        if (!t_collecting || t_outgoing is not { } blobs)
        {
            index = -1;
            return false;
        }

        index = blobs.Count;
        blobs.Add(value);
        return true;
    }

    internal static ReadOnlyMemory<byte> GetBlob(int index) =>
        t_incoming is { } blobs && (uint)index < (uint)blobs.Length
            ? blobs[index]
            : throw new JsonException($"Frame: blob {index} does not exist.");

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        };
        options.Converters.Add(new ByteArrayBlobConverter());
        options.Converters.Add(new ReadOnlyMemoryBlobConverter());
        options.Converters.Add(new MemoryBlobConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
