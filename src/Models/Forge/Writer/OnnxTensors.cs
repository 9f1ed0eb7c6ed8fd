using System.Runtime.InteropServices;
using Atelier.Models.Forge.Proto;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Models.Forge.Writer;

/// <summary>Builds <see cref="TensorProto"/> values (initializers, tensor attributes) from spans.</summary>
public static class OnnxTensors
{
    /// <summary>
    /// A tensor named <paramref name="name"/> holding <paramref name="values"/> with shape
    /// <paramref name="dims"/> (none for a scalar), stored little-endian in <c>raw_data</c>.
    /// </summary>
    public static TensorProto Create<T>(string name, ReadOnlySpan<T> values, params ReadOnlySpan<long> dims)
        where T : unmanaged
    {
        var count = ShapeUtils.GetSizeForShape(dims);
        if (count != values.Length)
        {
            throw new ArgumentException($"Shape [{string.Join(',', dims.ToArray())}] holds {count} elements but {values.Length} values were given.", nameof(dims));
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw_data is little-endian.");
        }

        var tensor = new TensorProto
        {
            Name = name,
            DataType = (int)ElementTypeOf<T>(),
            RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values)),
        };
        foreach (var dim in dims)
        {
            tensor.Dims.Add(dim);
        }

        return tensor;
    }

    /// <summary>
    /// ONNX's element type for <typeparamref name="T"/>, from ORT's CLR type table; <see cref="Half"/> is ONNX's float16
    /// (ORT's table knows only its own <c>Float16</c> struct for it).
    /// </summary>
    private static TensorElementType ElementTypeOf<T>()
        where T : unmanaged =>
        typeof(T) == typeof(Half)
            ? TensorElementType.Float16
            : TensorBase.GetTypeInfo(typeof(T))?.ElementType ?? throw new NotSupportedException($"{typeof(T)} is not an ONNX tensor element type.");
}
