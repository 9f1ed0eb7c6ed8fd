using Atelier.Models.Forge.Proto;
using Atelier.Models.Forge.Writer;
using Atelier.Models.Onnx;
using Atelier.Models.Tests.Support;
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

    [Theory]
    [InlineData("assets/isnet-small.onnx")]
    [InlineData("assets/isnet-medium.onnx")]
    [InlineData("models/sam-isnet/encoder.onnx")]
    public void Skipping_the_weights_while_parsing_counts_what_a_full_parse_of_the_real_model_counts(string file)
    {
        var path = Path.Combine(TestCache.Root, file);
        Assert.True(File.Exists(path), $"{path} is missing: run './build.sh setup' first.");
        var full = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        long expected = 0;
        foreach (var tensor in full.Graph.Initializer)
        {
            var elements = tensor.Dims.Aggregate(1L, (n, d) => n * d);
            expected += elements * TensorBase.GetElementTypeInfo((TensorElementType)tensor.DataType)!.TypeSize;
        }

        Assert.True(expected > 1_000_000, $"{file}: {expected} bytes of weights");
        Assert.Equal(expected, ModelInitializers.CountBytes(path));
    }
}
