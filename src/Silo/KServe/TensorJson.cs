using System.Buffers.Binary;
using System.Text.Json;
using Atelier.Models.Tensors;
using Atelier.Silo.Errors;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Silo.KServe;

/// <summary>
/// Tensor <c>data</c> in JSON ↔ the raw little-endian layout: row-major, flattened or nested arrays in; flat arrays out.
/// <c>BOOL</c> is <c>true</c>/<c>false</c>; integers must fit their type exactly; <c>FP16</c>, <c>BF16</c>, <c>FP32</c>
/// are rounded to nearest from the JSON number and written back as the shortest text that reads back to the same value,
/// so a JSON round trip gives the same bits as the binary extension.
/// </summary>
internal static class TensorJson
{
    /// <summary>Writes the elements of <paramref name="data"/> (a JSON array, possibly nested) into <paramref name="destination"/>.</summary>
    public static void Read(JsonElement data, TensorElementType type, Span<byte> destination, string tensor)
    {
        var size = TensorDatatype.SizeOf(type);
        var written = 0;
        ReadArray(data, type, size, destination, ref written, tensor);
        if (written != destination.Length)
        {
            throw Invalid(tensor, $"data holds {written / size} elements, the shape needs {destination.Length / size}");
        }
    }

    /// <summary>Writes the elements of raw <paramref name="data"/> as one flat JSON array.</summary>
    public static void Write(Utf8JsonWriter writer, TensorElementType type, ReadOnlySpan<byte> data)
    {
        writer.WriteStartArray();
        switch (type)
        {
            case TensorElementType.Bool:
                foreach (var b in data)
                {
                    writer.WriteBooleanValue(b != 0);
                }

                break;
            case TensorElementType.UInt8:
                foreach (var b in data)
                {
                    writer.WriteNumberValue(b);
                }

                break;
            case TensorElementType.Int8:
                foreach (var b in data)
                {
                    writer.WriteNumberValue((sbyte)b);
                }

                break;
            case TensorElementType.UInt16:
                for (var i = 0; i < data.Length; i += 2)
                {
                    writer.WriteNumberValue(BinaryPrimitives.ReadUInt16LittleEndian(data[i..]));
                }

                break;
            case TensorElementType.Int16:
                for (var i = 0; i < data.Length; i += 2)
                {
                    writer.WriteNumberValue(BinaryPrimitives.ReadInt16LittleEndian(data[i..]));
                }

                break;
            case TensorElementType.UInt32:
                for (var i = 0; i < data.Length; i += 4)
                {
                    writer.WriteNumberValue(BinaryPrimitives.ReadUInt32LittleEndian(data[i..]));
                }

                break;
            case TensorElementType.Int32:
                for (var i = 0; i < data.Length; i += 4)
                {
                    writer.WriteNumberValue(BinaryPrimitives.ReadInt32LittleEndian(data[i..]));
                }

                break;
            case TensorElementType.UInt64:
                for (var i = 0; i < data.Length; i += 8)
                {
                    writer.WriteNumberValue(BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
                }

                break;
            case TensorElementType.Int64:
                for (var i = 0; i < data.Length; i += 8)
                {
                    writer.WriteNumberValue(BinaryPrimitives.ReadInt64LittleEndian(data[i..]));
                }

                break;
            case TensorElementType.Float16:
                for (var i = 0; i < data.Length; i += 2)
                {
                    WriteFloat(writer, (float)BinaryPrimitives.ReadHalfLittleEndian(data[i..]));
                }

                break;
            case TensorElementType.BFloat16:
                for (var i = 0; i < data.Length; i += 2)
                {
                    WriteFloat(writer, BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(data[i..]) << 16));
                }

                break;
            case TensorElementType.Float:
                for (var i = 0; i < data.Length; i += 4)
                {
                    WriteFloat(writer, BinaryPrimitives.ReadSingleLittleEndian(data[i..]));
                }

                break;
            case TensorElementType.Double:
                for (var i = 0; i < data.Length; i += 8)
                {
                    var value = BinaryPrimitives.ReadDoubleLittleEndian(data[i..]);
                    if (double.IsFinite(value))
                    {
                        writer.WriteNumberValue(value);
                    }
                    else
                    {
                        writer.WriteNullValue();
                    }
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "Not a supported tensor element type.");
        }

        writer.WriteEndArray();
    }

    // JSON has no NaN or infinity: such elements are written as null (the binary extension carries them exactly).
    private static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    private static void ReadArray(JsonElement array, TensorElementType type, int size, Span<byte> destination, ref int written, string tensor)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw Invalid(tensor, "data must be an array");
        }

        foreach (var element in array.EnumerateArray())
        {
            if (element.ValueKind == JsonValueKind.Array)
            {
                ReadArray(element, type, size, destination, ref written, tensor);
                continue;
            }

            if (written + size > destination.Length)
            {
                throw Invalid(tensor, $"data holds more elements than the shape's {destination.Length / size}");
            }

            if (!TryWrite(element, type, destination.Slice(written, size)))
            {
                throw Invalid(tensor, $"element {written / size} ({Shorten(element)}) is not a {TensorDatatype.NameOf(type)}");
            }

            written += size;
        }
    }

    private static bool TryWrite(JsonElement element, TensorElementType type, Span<byte> destination)
    {
        if (type == TensorElementType.Bool)
        {
            if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return false;
            }

            destination[0] = element.ValueKind == JsonValueKind.True ? (byte)1 : (byte)0;
            return true;
        }

        if (element.ValueKind != JsonValueKind.Number)
        {
            return false;
        }

        switch (type)
        {
            case TensorElementType.UInt8 when element.TryGetByte(out var v):
                destination[0] = v;
                return true;
            case TensorElementType.Int8 when element.TryGetSByte(out var v):
                destination[0] = (byte)v;
                return true;
            case TensorElementType.UInt16 when element.TryGetUInt16(out var v):
                BinaryPrimitives.WriteUInt16LittleEndian(destination, v);
                return true;
            case TensorElementType.Int16 when element.TryGetInt16(out var v):
                BinaryPrimitives.WriteInt16LittleEndian(destination, v);
                return true;
            case TensorElementType.UInt32 when element.TryGetUInt32(out var v):
                BinaryPrimitives.WriteUInt32LittleEndian(destination, v);
                return true;
            case TensorElementType.Int32 when element.TryGetInt32(out var v):
                BinaryPrimitives.WriteInt32LittleEndian(destination, v);
                return true;
            case TensorElementType.UInt64 when element.TryGetUInt64(out var v):
                BinaryPrimitives.WriteUInt64LittleEndian(destination, v);
                return true;
            case TensorElementType.Int64 when element.TryGetInt64(out var v):
                BinaryPrimitives.WriteInt64LittleEndian(destination, v);
                return true;
            case TensorElementType.Float when element.TryGetDouble(out var v):
                BinaryPrimitives.WriteSingleLittleEndian(destination, (float)v);
                return true;
            case TensorElementType.Double when element.TryGetDouble(out var v):
                BinaryPrimitives.WriteDoubleLittleEndian(destination, v);
                return true;
            case TensorElementType.Float16 when element.TryGetDouble(out var v):
                BinaryPrimitives.WriteHalfLittleEndian(destination, (Half)v);
                return true;
            case TensorElementType.BFloat16 when element.TryGetDouble(out var v):
                BinaryPrimitives.WriteUInt16LittleEndian(destination, ToBFloat16((float)v));
                return true;
            default:
                return false;
        }
    }

    /// <summary>Round to nearest even on the upper 16 bits of the float32 pattern (NaN stays NaN).</summary>
    private static ushort ToBFloat16(float value)
    {
        var bits = (uint)BitConverter.SingleToInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x40);
        }

        bits += 0x7FFF + ((bits >> 16) & 1);
        return (ushort)(bits >> 16);
    }

    private static string Shorten(JsonElement element)
    {
        var text = element.GetRawText();
        return text.Length <= 32 ? text : string.Concat(text.AsSpan(0, 32), "…");
    }

    private static RequestRejectedException Invalid(string tensor, string problem) => RequestRejectedException.Invalid($"input '{tensor}'", problem);
}
