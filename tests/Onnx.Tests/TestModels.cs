using Atelier.Onnx.Writer;

namespace Atelier.Onnx.Tests;

/// <summary>Tiny models written with the project's own ONNX writer.</summary>
internal static class TestModels
{
    /// <summary>y = a + b, both float [N, 3] with a symbolic batch N.</summary>
    public static byte[] Add() => new OnnxModelBuilder("add")
        .Input("a", TensorElementType.Float, "N", 3)
        .Input("b", TensorElementType.Float, "N", 3)
        .Node("Add", ["a", "b"], ["y"])
        .Output("y", TensorElementType.Float, "N", 3)
        .ToBytes();

    /// <summary>y = x · W with x float [2, 3] and W a [3, 2] initializer 1..6.</summary>
    public static byte[] MatMul() => new OnnxModelBuilder("matmul")
        .Input("x", TensorElementType.Float, 2, 3)
        .Initializer("w", [1f, 2f, 3f, 4f, 5f, 6f], 3, 2)
        .Node("MatMul", ["x", "w"], ["y"])
        .Output("y", TensorElementType.Float, 2, 2)
        .ToBytes();

    /// <summary>y = x + 1 over any shape [batch, height, width] (all symbolic).</summary>
    public static byte[] AddOne() => new OnnxModelBuilder("add_one")
        .Input("x", TensorElementType.Float, "batch", "height", "width")
        .Initializer("one", [1f])
        .Node("Add", ["x", "one"], ["y"])
        .Output("y", TensorElementType.Float, "batch", "height", "width")
        .ToBytes();

    /// <summary>y = Identity(x) for one element type, shape [2, 3].</summary>
    public static byte[] Identity(TensorElementType type) => new OnnxModelBuilder("identity")
        .Input("x", type, 2, 3)
        .Node("Identity", ["x"], ["y"])
        .Output("y", type, 2, 3)
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

    /// <summary>
    /// <paramref name="steps"/> chained [size, size] MatMuls with the identity matrix: slow enough that a
    /// run is still going when a test cancels it, and its result is x again.
    /// </summary>
    public static byte[] SlowChain(int size, int steps)
    {
        var identity = new float[size * size];
        for (var i = 0; i < size; i++)
        {
            identity[(i * size) + i] = 1f;
        }

        var builder = new OnnxModelBuilder("slow_chain")
            .Input("x", TensorElementType.Float, size, size)
            .Initializer("eye", identity, size, size);
        var previous = "x";
        for (var i = 0; i < steps; i++)
        {
            var next = i == steps - 1 ? "y" : $"h{i}";
            builder.Node("MatMul", [previous, "eye"], [next]);
            previous = next;
        }

        return builder.Output("y", TensorElementType.Float, size, size).ToBytes();
    }
}
