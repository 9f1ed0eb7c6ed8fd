using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Models.Forge;

/// <summary>
/// <c>lama-demo</c>: LaMa's ONNX interface (<c>image [1,3,S,S]</c> RGB 0..1, <c>mask [1,1,S,S]</c> 1 = fill;
/// <c>output [1,3,S,S]</c> RGB 0..255 like the public export) with a real, non-learned fill: push–pull.
/// Known colour premultiplied by coverage and the coverage itself are averaged down a 2× pyramid to
/// 4×4; coming back up, each level composites its own known colour over the upsampled fill
/// (<c>c = a + (1 − w)·up(c)</c>) and relaxes the hole a few steps towards a harmonic fill
/// (3×3 mean), which reproduces smooth gradients. Known pixels pass through exactly.
/// </summary>
internal static class LamaDemoForge
{
    /// <summary>Input side S.</summary>
    public const int Size = 512;

    /// <summary>Coarsest pyramid level's side.</summary>
    private const int CoarsestSize = 4;

    /// <summary>Relaxation steps at every level.</summary>
    private const int RelaxSteps = 8;

    public static byte[] Build()
    {
        var w = new GraphWriter("lama_demo");
        var image = w.Input("image", 1, 3, Size, Size);
        var mask = w.Input("mask", 1, 1, Size, Size);
        var known = w.Sub(w.Scalar(1f), w.GreaterF(mask, w.Scalar(0.5f)));

        var premultiplied = new List<string> { w.Mul(image, known) };
        var coverage = new List<string> { known };
        for (var side = Size / 2; side >= CoarsestSize; side /= 2)
        {
            premultiplied.Add(w.AvgPoolDown(premultiplied[^1], 2));
            coverage.Add(w.AvgPoolDown(coverage[^1], 2));
        }

        var fill = w.Div(premultiplied[^1], w.Max(coverage[^1], w.Scalar(1e-6f)));
        fill = Relax(w, fill, premultiplied[^1], coverage[^1]);
        for (var level = premultiplied.Count - 2; level >= 0; level--)
        {
            var up = w.Upsample(fill, 2f, "linear");
            fill = Relax(w, Composite(w, premultiplied[level], coverage[level], up), premultiplied[level], coverage[level]);
        }

        w.Op("Mul", [w.Clip(fill, 0f, 1f), w.Scalar(255f)], output: "output");
        w.Builder.Output("output", TensorElementType.Float, 1, 3, Size, Size);
        return w.Builder.ToBytes();
    }

    private static string Composite(GraphWriter w, string premultiplied, string coverage, string below) =>
        w.Add(premultiplied, w.Mul(w.Sub(w.Scalar(1f), coverage), below));

    private static string Relax(GraphWriter w, string fill, string premultiplied, string coverage)
    {
        for (var step = 0; step < RelaxSteps; step++)
        {
            fill = Composite(w, premultiplied, coverage, w.Blur3(fill));
        }

        return fill;
    }
}
