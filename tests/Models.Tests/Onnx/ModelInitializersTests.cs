using Atelier.Models.Forge.Writer;
using Atelier.Models.Onnx;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Models.Tests.Onnx;

/// <summary>Loaded-model accounting reads the weights' bytes from the model file: element count × element size.</summary>
public sealed class ModelInitializersTests
{
    [Fact]
    public void Initializer_bytes_sum_every_initializer_by_element_type()
    {
        var model = new OnnxModelBuilder("weights")
            .Input("x", TensorElementType.Float, 2, 2)
            .Initializer("w", [1f, 2f, 3f, 4f], 2, 2)
            .Initializer("shape", [4L, 1L, 1L], 3)
            .Initializer(OnnxTensors.Create<Half>("h", [(Half)1, (Half)2, (Half)3, (Half)4, (Half)5], 5))
            .Initializer(OnnxTensors.Create<byte>("q", [1, 2, 3], 3))
            .Node("Add", ["x", "w"], ["s"])
            .Node("Reshape", ["s", "shape"], ["y"])
            .Output("y", TensorElementType.Float, 4, 1, 1)
            .ToBytes();

        Assert.Equal((4 * sizeof(float)) + (3 * sizeof(long)) + (5 * 2) + 3, ModelInitializers.CountBytes(model));
    }

    [Fact]
    public void A_model_without_initializers_weighs_nothing()
    {
        var model = new OnnxModelBuilder("none").Input("x", TensorElementType.Float, 1).Node("Neg", ["x"], ["y"]).Output("y", TensorElementType.Float, 1).ToBytes();

        Assert.Equal(0, ModelInitializers.CountBytes(model));
    }
}
