using Atelier.Models.Forge.Writer;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Models.Tests.Support;

/// <summary>Tiny models written with the forge's ONNX writer.</summary>
internal static class TestModels
{
    /// <summary>y = a + b, both float [N, 3] with a symbolic batch N.</summary>
    public static byte[] Add() => new OnnxModelBuilder("add")
        .Input("a", TensorElementType.Float, "N", 3)
        .Input("b", TensorElementType.Float, "N", 3)
        .Node("Add", ["a", "b"], ["y"])
        .Output("y", TensorElementType.Float, "N", 3)
        .ToBytes();

    /// <summary>y = Identity(x) with an initializer no node uses: ORT warns about it while it loads the graph.</summary>
    public static byte[] UnusedInitializer(string name) => new OnnxModelBuilder("unused")
        .Input("x", TensorElementType.Float, 1)
        .Initializer(name, [1f, 2f], 2)
        .Node("Identity", ["x"], ["y"])
        .Output("y", TensorElementType.Float, 1)
        .ToBytes();

    /// <summary>
    /// A Loop whose trip count is <see cref="long.MaxValue"/>: y = x · I, forever. A run of it ends only
    /// when it is terminated, so a cancellation test does not depend on how fast the machine is.
    /// </summary>
    public static byte[] EndlessLoop(int size)
    {
        var identity = new float[size * size];
        for (var i = 0; i < size; i++)
        {
            identity[(i * size) + i] = 1f;
        }

        var body = new OnnxModelBuilder("endless_body")
            .Input("iteration", TensorElementType.Int64)
            .Input("keep_going", TensorElementType.Bool)
            .Input("h", TensorElementType.Float, size, size)
            .Node("Identity", ["keep_going"], ["keep_going_out"])
            .Node("MatMul", ["h", "eye"], ["h_out"])
            .Output("keep_going_out", TensorElementType.Bool)
            .Output("h_out", TensorElementType.Float, size, size)
            .BuildGraph();

        return new OnnxModelBuilder("endless_loop")
            .Input("x", TensorElementType.Float, size, size)
            .Initializer("eye", identity, size, size)
            .Initializer("trip_count", [long.MaxValue])
            .Node("Loop", ["trip_count", "", "x"], ["y"], a => a.Graph("body", body))
            .Output("y", TensorElementType.Float, size, size)
            .ToBytes();
    }
}
