using Atelier.Models.Onnx;
using Atelier.Models.Store;
using Microsoft.ML.OnnxRuntime;

namespace Atelier.Models.Adapters;

/// <summary>
/// The <c>onnx</c> adapter: any ONNX graph, one <c>model</c> file, run as it is (no pre- or post-processing) through
/// <see cref="Tensors.TensorRunner"/>, e.g. by the KServe v2 and SageMaker front ends.
/// </summary>
public sealed class OnnxModel : LoadedModel
{
    internal OnnxModel(ModelEntry entry, ExecutionProvider executionProvider, InferenceSession session)
        : base(entry, executionProvider, ("model", session))
    {
    }
}
