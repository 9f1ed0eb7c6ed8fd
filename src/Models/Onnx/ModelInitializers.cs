using Atelier.Models.Forge.Proto;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Models.Onnx;

/// <summary>Sums the bytes a model's initializers (weights) occupy, read from the model file itself.</summary>
internal static class ModelInitializers
{
    /// <summary>Bytes of all initializers of the model at <paramref name="modelPath"/>.</summary>
    public static long CountBytes(string modelPath)
    {
        using var stream = File.OpenRead(modelPath);
        return CountBytes(ModelProto.Parser.ParseFrom(stream));
    }

    /// <summary>Bytes of all initializers of a serialized model.</summary>
    public static long CountBytes(byte[] model) => CountBytes(ModelProto.Parser.ParseFrom(model));

    /// <summary>Bytes of all initializers of <paramref name="model"/>'s main graph.</summary>
    public static long CountBytes(ModelProto model)
    {
        long total = 0;
        if (model.Graph is null)
        {
            return 0;
        }

        foreach (var tensor in model.Graph.Initializer)
        {
            total += TensorBytes(tensor);
        }

        return total;
    }

    /// <summary>Element count times element size (wherever the data is stored: typed fields, raw or external).</summary>
    public static long TensorBytes(TensorProto tensor)
    {
        var type = (TensorElementType)tensor.DataType;
        long count = 1;
        foreach (var dim in tensor.Dims)
        {
            count *= dim;
        }

        var size = type == TensorElementType.String ? 0 : TensorBase.GetElementTypeInfo(type)?.TypeSize ?? 0;
        if (size > 0)
        {
            return count * size;
        }

        // Strings: the bytes of the strings themselves.
        long strings = 0;
        foreach (var s in tensor.StringData)
        {
            strings += s.Length;
        }

        return strings;
    }
}
