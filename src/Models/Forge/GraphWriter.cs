using Atelier.Models.Forge.Writer;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Models.Forge;

/// <summary>
/// A thin layer over <see cref="OnnxModelBuilder"/> for writing graphs by expression: every operator
/// call returns the name of its (single) output, generated as <c>t0, t1, …</c>, and constants become
/// named initializers. Used by the demo-model forge only.
/// </summary>
internal sealed class GraphWriter
{
    private int _next;

    public GraphWriter(string graphName, long opset = OnnxModelBuilder.DefaultOpset)
    {
        Builder = new OnnxModelBuilder(graphName) { ProducerName = "atelier-forge" };
        Builder.Opset(opset);
    }

    public OnnxModelBuilder Builder { get; }

    public string Input(string name, params ReadOnlySpan<OnnxDim> dims)
    {
        Builder.Input(name, TensorElementType.Float, dims);
        return name;
    }

    /// <summary>A float constant of shape <paramref name="dims"/> (none: a scalar).</summary>
    public string Const(ReadOnlySpan<float> values, params ReadOnlySpan<long> dims)
    {
        var name = "c" + _next++;
        Builder.Initializer(name, values, dims);
        return name;
    }

    public string Scalar(float value) => Const([value]);

    /// <summary>An int64 constant (shapes, axes, slice bounds), always 1-D.</summary>
    public string Longs(params ReadOnlySpan<long> values)
    {
        var name = "c" + _next++;
        Builder.Initializer(name, values, values.Length);
        return name;
    }

    /// <summary>One operator with one output; returns the output's name (or <paramref name="output"/> when given).</summary>
    public string Op(string opType, ReadOnlySpan<string> inputs, Action<OnnxAttributes>? attributes = null, string? output = null)
    {
        output ??= "t" + _next++;
        Builder.Node(opType, inputs, [output], attributes);
        return output;
    }

    public string Add(string a, string b) => Op("Add", [a, b]);

    public string Sub(string a, string b) => Op("Sub", [a, b]);

    public string Mul(string a, string b) => Op("Mul", [a, b]);

    public string Div(string a, string b) => Op("Div", [a, b]);

    public string Min(string a, string b) => Op("Min", [a, b]);

    public string Max(string a, string b) => Op("Max", [a, b]);

    public string Neg(string a) => Op("Neg", [a]);

    /// <summary>1 where <paramref name="a"/> &gt; <paramref name="b"/>, else 0, as float.</summary>
    public string GreaterF(string a, string b) => ToFloat(Op("Greater", [a, b]));

    /// <summary>1 where <paramref name="a"/> == <paramref name="b"/>, else 0, as float.</summary>
    public string EqualF(string a, string b) => ToFloat(Op("Equal", [a, b]));

    public string ToFloat(string a) => Op("Cast", [a], x => x.Int("to", (long)TensorElementType.Float));

    public string Reshape(string a, params ReadOnlySpan<long> shape) => Op("Reshape", [a, Longs(shape)]);

    public string Transpose(string a, params ReadOnlySpan<long> perm)
    {
        var order = perm.ToArray();
        return Op("Transpose", [a], x => x.Ints("perm", order));
    }

    public string Concat(long axis, params ReadOnlySpan<string> inputs) => Op("Concat", inputs, x => x.Int("axis", axis));

    /// <summary>Elements <paramref name="start"/>..<paramref name="end"/> (exclusive) along <paramref name="axis"/>.</summary>
    public string Slice(string a, long axis, long start, long end) => Op("Slice", [a, Longs(start), Longs(end), Longs(axis)]);

    public string ReduceSum(string a, long axis, bool keepDims = true) =>
        Op("ReduceSum", [a, Longs(axis)], x => x.Int("keepdims", keepDims ? 1 : 0));

    public string ReduceMax(string a, long axis, bool keepDims = true) =>
        Op("ReduceMax", [a], x => x.Ints("axes", axis).Int("keepdims", keepDims ? 1 : 0));

    /// <summary>3×3 max filter, stride 1, padded by 1 (the flood step).</summary>
    public string MaxPool3(string a) => Op("MaxPool", [a], x => x.Ints("kernel_shape", 3, 3).Ints("strides", 1, 1).Ints("pads", 1, 1, 1, 1));

    /// <summary>Non-overlapping k×k max (k = stride).</summary>
    public string MaxPoolDown(string a, long k) => Op("MaxPool", [a], x => x.Ints("kernel_shape", k, k).Ints("strides", k, k));

    /// <summary>Non-overlapping k×k mean (k = stride).</summary>
    public string AvgPoolDown(string a, long k) => Op("AveragePool", [a], x => x.Ints("kernel_shape", k, k).Ints("strides", k, k));

    /// <summary>3×3 mean over the pixels inside the image (borders average fewer pixels).</summary>
    public string Blur3(string a) =>
        Op("AveragePool", [a], x => x.Ints("kernel_shape", 3, 3).Ints("strides", 1, 1).Ints("pads", 1, 1, 1, 1).Int("count_include_pad", 0));

    /// <summary>Upsamples the two spatial axes by <paramref name="factor"/> (<c>linear</c> or <c>nearest</c>, half-pixel centres).</summary>
    public string Upsample(string a, float factor, string mode)
    {
        var scales = Const([1f, 1f, factor, factor], 4);
        return Op("Resize", [a, string.Empty, scales], x =>
        {
            x.String("mode", mode).String("coordinate_transformation_mode", mode == "nearest" ? "asymmetric" : "half_pixel");
            if (mode == "nearest")
            {
                x.String("nearest_mode", "floor");
            }
        });
    }

    /// <summary>Clamps <paramref name="a"/> to [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public string Clip(string a, float min, float max) => Op("Clip", [a, Scalar(min), Scalar(max)]);
}
