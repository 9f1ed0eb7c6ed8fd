using Atelier.Models.Forge.Proto;
using Atelier.Models.Forge.Writer;
using Atelier.Models.Onnx;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Models.Tests.Forge;

/// <summary>
/// The forge's ONNX writer: messages generated from the onnx.proto subset (Grpc.Tools, Google.Protobuf) with ONNX's
/// field numbers, and models that the ONNX Runtime package loads and runs (onnxruntime-node runs the forge's models in
/// <see cref="NodeRuntimeTests"/>).
/// </summary>
public sealed class OnnxWriterTests
{
    [Fact]
    public void Model_fields_are_written_with_the_ONNX_field_numbers()
    {
        var model = new ModelProto { IrVersion = 8 };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = 17 });

        // ir_version = 1 (varint), opset_import = 8 (length-delimited) holding version = 2 (varint).
        Assert.Equal(new byte[] { 0x08, 0x08, 0x42, 0x02, 0x10, 0x11 }, model.ToByteArray());
    }

    [Fact]
    public void Graph_input_with_a_symbolic_dimension_uses_dim_param()
    {
        var graph = new OnnxModelBuilder("g").Input("x", TensorElementType.Int64, "N", 4).BuildGraph();
        var dims = graph.Input[0].Type.TensorType.Shape.Dim;

        Assert.Equal("N", dims[0].DimParam);
        Assert.Equal(TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam, dims[0].ValueCase);
        Assert.Equal(4, dims[1].DimValue);
        Assert.Equal((int)TensorElementType.Int64, graph.Input[0].Type.TensorType.ElemType);
    }

    [Fact]
    public void Built_model_parses_back_with_its_nodes_initializers_and_opsets()
    {
        var bytes = new OnnxModelBuilder("parse_back")
            .Opset(18)
            .Opset(1, "com.microsoft")
            .Input("x", TensorElementType.Float, 2)
            .Initializer("w", [3f, 4f], 2)
            .Node("Mul", ["x", "w"], ["y"], name: "scale")
            .Output("y", TensorElementType.Float, 2)
            .ToBytes();

        var model = ModelProto.Parser.ParseFrom(bytes);

        Assert.Equal(OnnxModelBuilder.DefaultIrVersion, model.IrVersion);
        Assert.Equal("atelier", model.ProducerName);
        Assert.Equal([("", 18L), ("com.microsoft", 1L)], model.OpsetImport.Select(o => (o.Domain, o.Version)));
        Assert.Equal("scale", model.Graph.Node[0].Name);
        Assert.Equal(["x", "w"], model.Graph.Node[0].Input);
        Assert.Equal(8, model.Graph.Initializer[0].RawData.Length);
        Assert.Equal((int)TensorProto.Types.DataType.Float, model.Graph.Initializer[0].DataType);
    }

    [Fact]
    public void Node_attributes_of_every_kind_reach_ORT_and_shape_the_result()
    {
        // x [2,3] --Transpose(perm ints)--> [3,2] --LeakyRelu(alpha float)--> --Concat(axis int) with a
        // Constant(tensor)--> [3,3] --Pad(mode string, pads from a Constant with value_ints)--> [3,5],
        // plus a Constant(value_floats) output.
        var bytes = new OnnxModelBuilder("attributes")
            .Input("x", TensorElementType.Float, 2, 3)
            .Node("Transpose", ["x"], ["t"], a => a.Ints("perm", 1, 0))
            .Node("LeakyRelu", ["t"], ["r"], a => a.Float("alpha", 0.5f))
            .Node("Constant", [], ["c"], a => a.Tensor("value", OnnxTensors.Create<float>("c", [7f, 8f, 9f], 3, 1)))
            .Node("Concat", ["r", "c"], ["cat"], a => a.Int("axis", 1))
            .Node("Constant", [], ["pads"], a => a.Ints("value_ints", 0, 1, 0, 1))
            .Node("Pad", ["cat", "pads"], ["y"], a => a.String("mode", "edge"))
            .Node("Constant", [], ["f"], a => a.Floats("value_floats", 0.25f, -1f))
            .Output("y", TensorElementType.Float, 3, 5)
            .Output("f", TensorElementType.Float, 2)
            .ToBytes();
        using var session = OnnxSessions.Open(bytes, new InferenceSessionOptions()).Session;
        using var x = OrtValue.CreateTensorValueFromMemory(new[] { 1f, -2f, 3f, -4f, 5f, -6f }, [2, 3]);

        using var outputs = OnnxSessions.Run(session, ["x"], [x], ["y", "f"], CancellationToken.None);
        var (y, f) = (outputs[0], outputs[1]);

        // Transpose: [[1,-4],[-2,5],[3,-6]]; LeakyRelu(0.5): [[1,-2],[-1,5],[3,-3]]; concat c; edge pad 1 each side.
        Assert.Equal(
            [1f, 1f, -2f, 7f, 7f, -1f, -1f, 5f, 8f, 8f, 3f, 3f, -3f, 9f, 9f],
            y.GetTensorDataAsSpan<float>().ToArray());
        Assert.Equal([0.25f, -1f], f.GetTensorDataAsSpan<float>().ToArray());
    }

    [Fact]
    public void Strings_attribute_and_graph_attribute_are_written()
    {
        var body = new OnnxModelBuilder("body").Input("i", TensorElementType.Int64).Node("Identity", ["i"], ["o"]).Output("o", TensorElementType.Int64).BuildGraph();
        var graph = new OnnxModelBuilder("outer")
            .Node("Custom", [], ["z"], a => a.Strings("labels", "a", "b").Graph("body", body), domain: "atelier.test")
            .BuildGraph();

        var node = graph.Node[0];

        Assert.Equal("atelier.test", node.Domain);
        Assert.Equal(["a", "b"], node.Attribute[0].Strings.Select(s => s.ToStringUtf8()));
        Assert.Equal(AttributeProto.Types.AttributeType.Graph, node.Attribute[1].Type);
        Assert.Equal("body", node.Attribute[1].G.Name);
    }

    [Fact]
    public void Int64_initializer_feeds_a_Reshape()
    {
        var bytes = new OnnxModelBuilder("reshape")
            .Input("x", TensorElementType.Float, "N", 6)
            .Initializer("shape", [-1L, 3L], 2)
            .Node("Reshape", ["x", "shape"], ["y"])
            .OutputWithUnknownShape("y", TensorElementType.Float)
            .ToBytes();
        using var session = OnnxSessions.Open(bytes, new InferenceSessionOptions()).Session;
        using var x = OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, 12).Select(i => (float)i).ToArray(), [2, 6]);

        using var outputs = OnnxSessions.Run(session, ["x"], [x], ["y"], CancellationToken.None);

        Assert.Equal([4L, 3L], outputs[0].GetTensorTypeAndShape().Shape);
    }

    [Fact]
    public void Saved_model_file_loads_in_ORT()
    {
        var path = Path.Combine(Path.GetTempPath(), $"atelier-saved-{Guid.NewGuid():N}.onnx");
        try
        {
            new OnnxModelBuilder("saved").Input("x", TensorElementType.Int32, 2).Node("Neg", ["x"], ["y"]).Output("y", TensorElementType.Int32, 2).Save(path);
            using var session = OnnxSessions.Open(path, new InferenceSessionOptions()).Session;
            using var x = OrtValue.CreateTensorValueFromMemory(new[] { 3, -9 }, [2]);

            using var outputs = OnnxSessions.Run(session, ["x"], [x], ["y"], CancellationToken.None);

            Assert.Equal([-3, 9], outputs[0].GetTensorDataAsSpan<int>().ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Tensor_values_that_do_not_fill_the_shape_are_refused()
    {
        Assert.Throws<ArgumentException>(() => OnnxTensors.Create<float>("w", [1f, 2f, 3f], 2, 2));
    }
}
