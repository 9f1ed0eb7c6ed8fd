using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Models.Tensors;

/// <summary>One graph input or output as ONNX Runtime reports it: element type and shape (-1 for a dynamic dimension).</summary>
public sealed record TensorSignature(string Name, TensorElementType ElementType, long[] Shape)
{
    /// <summary>The graph's tensor inputs (non-tensor inputs are skipped: the protocols cannot carry them).</summary>
    public static IReadOnlyList<TensorSignature> InputsOf(InferenceSession session) => Of(session.InputMetadata);

    /// <summary>The graph's tensor outputs.</summary>
    public static IReadOnlyList<TensorSignature> OutputsOf(InferenceSession session) => Of(session.OutputMetadata);

    private static List<TensorSignature> Of(IReadOnlyDictionary<string, NodeMetadata> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var result = new List<TensorSignature>(nodes.Count);
        foreach (var (name, node) in nodes)
        {
            if (!node.IsTensor)
            {
                continue;
            }

            var shape = new long[node.Dimensions.Length];
            for (var i = 0; i < shape.Length; i++)
            {
                shape[i] = node.Dimensions[i] < 0 ? -1 : node.Dimensions[i];
            }

            result.Add(new TensorSignature(name, node.ElementDataType, shape));
        }

        return result;
    }
}
