using Atelier.Models.Forge.Proto;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Models.Onnx;

/// <summary>Sums the bytes a model's initializers (weights) occupy, read from the model file itself.</summary>
internal static class ModelInitializers
{
    // Shapes and types only: every other field (the weights themselves) is skipped while parsing.
    private static readonly MessageParser<InitializerShapesModel> Parser = InitializerShapesModel.Parser.WithDiscardUnknownFields(true);

    /// <summary>Bytes of all initializers of the model at <paramref name="modelPath"/>.</summary>
    public static long CountBytes(string modelPath)
    {
        using var stream = File.OpenRead(modelPath);
        return CountBytes(Parser.ParseFrom(stream));
    }

    /// <summary>Bytes of all initializers of a serialized model.</summary>
    public static long CountBytes(byte[] model) => CountBytes(Parser.ParseFrom(model));

    private static long CountBytes(InitializerShapesModel model)
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
    private static long TensorBytes(InitializerShape tensor)
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
