using Atelier.Models.Forge.Writer;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Models.Forge;

/// <summary>
/// <c>sam-demo</c>: a colour "magic wand" with exactly SAM's ONNX interface (NOT a learned model).
/// The encoder turns SAM's normalized, padded <c>[1,3,1024,1024]</c> input back into RGB in 0..1,
/// averages it to 512×512 and packs it with SpaceToDepth(8) into 192 of the 256 embedding channels
/// (the other 64 are zero). The decoder unpacks the colour at 256×256 and lets each point's seed flood
/// the cells whose colour lies within a tolerance of the colour under the point.
/// </summary>
internal static class SamDemoForge
{
    /// <summary>Colour tolerances (Euclidean distance in RGB, 0..1 per channel) of the three multimask outputs.</summary>
    public static readonly float[] Tolerances = [0.1f, 0.2f, 0.35f];

    internal static readonly float[] PixelMean = [123.675f, 116.28f, 103.53f];
    internal static readonly float[] PixelStd = [58.395f, 57.12f, 57.375f];

    public static byte[] BuildEncoder()
    {
        var w = new GraphWriter("sam_demo_encoder");
        WriteEncoderBody(w, w.Input("x", 1, 3, 1024, 1024));
        return w.Builder.ToBytes();
    }

    /// <summary>From SAM's normalized, padded <c>[1,3,1024,1024]</c> value to the <c>image_embeddings</c> output.</summary>
    internal static void WriteEncoderBody(GraphWriter w, string normalized)
    {
        var scale = new float[3];
        var offset = new float[3];
        for (var c = 0; c < 3; c++)
        {
            scale[c] = PixelStd[c] / 255f;
            offset[c] = PixelMean[c] / 255f;
        }

        var rgb = w.Add(w.Mul(normalized, w.Const(scale, 1, 3, 1, 1)), w.Const(offset, 1, 3, 1, 1));
        var packed = w.Op("SpaceToDepth", [w.AvgPoolDown(rgb, 2)], a => a.Int("blocksize", 8)); // [1,192,64,64]
        var spare = w.Op("ConstantOfShape", [w.Longs(1, 64, 64, 64)], a => a.Tensor("value", OnnxTensors.Create<float>("zero", [0f], 1)));
        w.Op("Concat", [packed, spare], a => a.Int("axis", 1), output: "image_embeddings");
        w.Builder.Output("image_embeddings", TensorElementType.Float, 1, 256, 64, 64);
    }

    /// <summary>The decoder with SAM's interface (batch 1), or with a dynamic batch dimension (<paramref name="batched"/>).</summary>
    public static byte[] BuildDecoder(bool batched = false) =>
        SamDecoderGraph.Build(batched ? "sam_demo_batch_decoder" : "sam_demo_decoder", ColourSimilarity, batched ? SamDecoderGraph.BatchedDim : 1).Builder.ToBytes();

    /// <summary>S = 1 − d²/tol² with d the RGB distance to the colour under the point.</summary>
    private static string ColourSimilarity(GraphWriter w, string embeddings, string itemOf, string weights, string weightSums)
    {
        const int side = SamDecoderGraph.LowRes;
        var colour = w.AvgPoolDown(w.Op("DepthToSpace", [w.Slice(embeddings, 1, 0, 192)], a => a.Int("blocksize", 8).String("mode", "DCR")), 2); // [B,3,256,256]
        var (atPoints, planes) = SamDecoderGraph.SampleAtPoints(w, colour, itemOf, weights, weightSums); // [P,3], [P,3,256,256]
        var difference = w.Sub(planes, w.Reshape(atPoints, 0, 3, 1, 1));
        var distance2 = w.Reshape(w.ReduceSum(w.Mul(difference, difference), 1, keepDims: false), 1, -1, side, side); // [1,P,256,256]
        var inverse = new float[Tolerances.Length];
        for (var i = 0; i < inverse.Length; i++)
        {
            inverse[i] = 1f / (Tolerances[i] * Tolerances[i]);
        }

        return w.Clip(w.Sub(w.Scalar(1f), w.Mul(distance2, w.Const(inverse, 3, 1, 1, 1))), -1f, 1f);
    }
}
