using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Models.Tensors;

/// <summary>
/// The tensor element types the front ends accept, by their KServe v2 names (<c>BOOL</c>, <c>UINT8</c> … <c>FP64</c>,
/// <c>BF16</c>), with the ONNX Runtime element type and the size of one element in the little-endian raw layout that the
/// binary tensor extension and gRPC <c>raw_*_contents</c> use. <c>BYTES</c> (ONNX strings) is not supported.
/// </summary>
public static class TensorDatatype
{
    private static readonly (string Name, TensorElementType Type, int Size)[] Table =
    [
        ("BOOL", TensorElementType.Bool, 1),
        ("UINT8", TensorElementType.UInt8, 1),
        ("UINT16", TensorElementType.UInt16, 2),
        ("UINT32", TensorElementType.UInt32, 4),
        ("UINT64", TensorElementType.UInt64, 8),
        ("INT8", TensorElementType.Int8, 1),
        ("INT16", TensorElementType.Int16, 2),
        ("INT32", TensorElementType.Int32, 4),
        ("INT64", TensorElementType.Int64, 8),
        ("FP16", TensorElementType.Float16, 2),
        ("FP32", TensorElementType.Float, 4),
        ("FP64", TensorElementType.Double, 8),
        ("BF16", TensorElementType.BFloat16, 2),
    ];

    /// <summary>The element type named <paramref name="name"/> (case-sensitive, as the protocol writes it); false when unsupported.</summary>
    public static bool TryParse(string? name, out TensorElementType type)
    {
        foreach (var entry in Table)
        {
            if (string.Equals(entry.Name, name, StringComparison.Ordinal))
            {
                type = entry.Type;
                return true;
            }
        }

        type = default;
        return false;
    }

    /// <summary>The protocol name of <paramref name="type"/>, or null when it has none we support (strings, complex …).</summary>
    public static string? NameOf(TensorElementType type)
    {
        foreach (var entry in Table)
        {
            if (entry.Type == type)
            {
                return entry.Name;
            }
        }

        return null;
    }

    /// <summary>Bytes per element of <paramref name="type"/> in the raw layout.</summary>
    public static int SizeOf(TensorElementType type)
    {
        foreach (var entry in Table)
        {
            if (entry.Type == type)
            {
                return entry.Size;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(type), type, "Not a supported tensor element type.");
    }
}
