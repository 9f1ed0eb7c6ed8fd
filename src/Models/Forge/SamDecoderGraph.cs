using Atelier.Models.Forge.Writer;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Models.Forge;

/// <summary>
/// The prompt-and-flood body shared by the demo SAM decoders; only "which pixels may a seed flood"
/// differs between them, and that is supplied by a <see cref="SimilarityBuilder"/>.
/// <para>
/// Interface (SAM's ONNX decoder, with the batch dimension <c>B</c> either 1 or dynamic): inputs
/// <c>image_embeddings [B,256,64,64]</c>, <c>point_coords [B,N,2]</c> (1024 frame), <c>point_labels [B,N]</c>
/// (1 fg, 0 bg, 2/3 box corners, −1 padding), <c>mask_input [B,1,256,256]</c>, <c>has_mask_input [B]</c>,
/// <c>orig_im_size [2]</c>; outputs <c>masks [B,4,h,w]</c>, <c>iou_predictions [B,4]</c>,
/// <c>low_res_masks [B,4,256,256]</c> (index 0 the single-mask output, 1..3 the multimask outputs). A batched
/// decoder (<see cref="BatchedDim"/>) decodes B prompts on B embeddings in one run; <c>orig_im_size</c> stays
/// SAM's <c>[2]</c> and only shapes <c>masks</c>, which Atelier never reads.
/// </para>
/// <para>
/// Technique: every point becomes a Gaussian bump on the 256×256 low-res grid (σ = 1 cell); a box
/// without positive points adds its centre as a positive point; only positive and negative points are kept
/// (NonZero + Gather over the whole batch), so padding points and box corners cost nothing. Each point's seed is
/// grown by morphological reconstruction, <c>seed = Min(MaxPool3x3(seed), allowed)</c>, coarse to fine over a
/// 32/64/128/256 pyramid (the coarse levels use the eroded <c>allowed</c> so they never leak); the floods of the
/// whole batch run as one tensor. They are then gathered back to their prompt's slots: positive floods are united,
/// negative floods subtracted where a cell is more similar to a negative point than to every positive one, a box
/// multiplies by its rectangle, and a previous mask (<c>has_mask_input = 1</c>) is united with the positives. Three
/// tolerances give the three multimask outputs; the middle one is also output 0. Logits are the similarity at the
/// region's border (sub-cell edges) and ±<see cref="LogitScale"/> elsewhere; the predicted IoU is a stability score.
/// </para>
/// </summary>
internal static class SamDecoderGraph
{
    /// <summary>Side of the low-res mask grid.</summary>
    public const int LowRes = 256;

    /// <summary>Magnitude of the logits far from a region's border.</summary>
    public const float LogitScale = 8f;

    /// <summary>The symbolic batch dimension of a batched decoder.</summary>
    public const string BatchedDim = "batch";

    /// <summary>Number of flood steps per pyramid level, coarse (32×32) to fine (256×256).</summary>
    private static readonly (int Size, int Steps)[] Levels = [(32, 32), (64, 16), (128, 12), (256, 16)];

    /// <summary>
    /// Builds the signed similarity <c>S [3, P, 256, 256]</c> in [−1, 1] (one plane per tolerance and flooding
    /// point of the batch; S &gt; 0 where the point's seed may flood). <c>embeddings</c> is <c>[B,256,64,64]</c>,
    /// <c>itemOf</c> the <c>[P]</c> batch index of each point, <c>weights</c> <c>[P, 65536]</c> each point's Gaussian
    /// over the low-res grid and <c>weightSums</c> <c>[P, 1]</c>.
    /// </summary>
    public delegate string SimilarityBuilder(GraphWriter w, string embeddings, string itemOf, string weights, string weightSums);

    /// <summary>The decoder graph; <paramref name="batch"/> is 1 (SAM's interface) or <see cref="BatchedDim"/>.</summary>
    public static GraphWriter Build(string graphName, SimilarityBuilder similarity, OnnxDim batch)
    {
        const long cells = LowRes * LowRes;
        var w = new GraphWriter(graphName);
        var embeddings = w.Input("image_embeddings", batch, 256, 64, 64);
        var coords = w.Input("point_coords", batch, "num_points", 2);
        var labels = w.Input("point_labels", batch, "num_points");
        var maskInput = w.Input("mask_input", batch, 1, LowRes, LowRes);
        var hasMaskInput = w.Input("has_mask_input", batch);
        var origImSize = w.Input("orig_im_size", 2);

        // Points in low-res cell units: the graph adds SAM's half-pixel itself, then 1024 → 256. [B,N] each.
        var lowResCoords = w.Div(w.Add(coords, w.Scalar(0.5f)), w.Scalar(1024f / LowRes));
        var xs = w.Reshape(w.Slice(lowResCoords, 2, 0, 1), 0, -1);
        var ys = w.Reshape(w.Slice(lowResCoords, 2, 1, 2), 0, -1);
        var isPositive = w.EqualF(labels, w.Scalar(1f));
        var isNegative = w.EqualF(labels, w.Scalar(0f));
        var isTopLeft = w.EqualF(labels, w.Scalar(2f));
        var isBottomRight = w.EqualF(labels, w.Scalar(3f));
        var hasBox = w.ReduceMax(isTopLeft, 1); // [B,1]
        var hasPositive = w.ReduceMax(isPositive, 1);
        var x1 = w.ReduceSum(w.Mul(xs, isTopLeft), 1);
        var y1 = w.ReduceSum(w.Mul(ys, isTopLeft), 1);
        var x2 = w.ReduceSum(w.Mul(xs, isBottomRight), 1);
        var y2 = w.ReduceSum(w.Mul(ys, isBottomRight), 1);

        // A box with no positive point: its centre becomes one. Slots [B,S], S = N + 1.
        var half = w.Scalar(0.5f);
        var allX = w.Concat(1, xs, w.Mul(w.Add(x1, x2), half));
        var allY = w.Concat(1, ys, w.Mul(w.Add(y1, y2), half));
        var allPositive = w.Concat(1, isPositive, w.Mul(hasBox, w.Sub(w.Scalar(1f), hasPositive)));
        var allNegative = w.Concat(1, isNegative, w.Mul(hasBox, w.Scalar(0f)));

        // Only slots that flood (positive or negative) go on, from every prompt of the batch: P points in all.
        var slotFloods = w.Reshape(w.Add(allPositive, allNegative), -1); // [B·S]
        var floods = w.Reshape(w.Op("NonZero", [slotFloods]), -1); // [P] slot numbers
        var slotsPerItem = w.Op("Slice", [w.Op("Shape", [allX]), w.Longs(1), w.Longs(2)]); // [1] = S
        var itemOf = w.Op("Div", [floods, slotsPerItem]); // [P] batch index of each point
        var pointX = w.Op("Gather", [w.Reshape(allX, -1), floods]);
        var pointY = w.Op("Gather", [w.Reshape(allY, -1), floods]);

        // Gaussian bumps [1, P, 256, 256] over cell centres.
        var centres = new float[LowRes];
        for (var i = 0; i < centres.Length; i++)
        {
            centres[i] = i + 0.5f;
        }

        var gridX = w.Const(centres, 1, 1, 1, LowRes);
        var gridY = w.Const(centres, 1, 1, LowRes, 1);
        var dx = w.Sub(gridX, w.Reshape(pointX, 1, -1, 1, 1));
        var dy = w.Sub(gridY, w.Reshape(pointY, 1, -1, 1, 1));
        var distance2 = w.Add(w.Mul(dx, dx), w.Mul(dy, dy));
        var bumps = w.Op("Exp", [w.Mul(distance2, w.Scalar(-0.5f))]);
        var weights = w.Reshape(bumps, -1, cells);
        var weightSums = w.Max(w.ReduceSum(weights, 1), w.Scalar(1e-6f));

        var signed = similarity(w, embeddings, itemOf, weights, weightSums);
        var allowed = w.GreaterF(signed, w.Scalar(0f));
        var flood = Flood(w, w.Min(bumps, allowed), allowed);

        // Back to the prompts' slots: [3,B,S,256,256], a slot that does not flood reads a zero plane.
        var toSlots = ToSlots(w, slotFloods, w.Op("Shape", [allX]));
        var flood5 = toSlots(flood);
        var signed5 = toSlots(signed);
        var positive = w.Op("Unsqueeze", [allPositive, w.Longs(0, 3, 4)]); // [1,B,S,1,1]
        var negative = w.Op("Unsqueeze", [allNegative, w.Longs(0, 3, 4)]);

        // Union of positive floods (and a previous mask), minus negative floods, times the box. [3,B,256,256]
        var selected = w.GreaterF(ReduceMaxOver(w, w.Mul(flood5, positive), 2), half);
        var previous = w.Mul(
            w.Reshape(w.GreaterF(maskInput, w.Scalar(0f)), 1, -1, LowRes, LowRes),
            w.Reshape(hasMaskInput, 1, -1, 1, 1));
        selected = w.Max(selected, previous);
        // A negative flood removes only the cells more similar to a negative point than to every positive one
        // (at a loose tolerance a negative seed may flood into the clicked object too).
        var positiveSimilarity = ReduceMaxOver(w, w.Add(signed5, w.Mul(w.Sub(positive, w.Scalar(1f)), w.Scalar(1000f))), 2);
        var negativeSimilarity = ReduceMaxOver(w, w.Add(signed5, w.Mul(w.Sub(negative, w.Scalar(1f)), w.Scalar(1000f))), 2);
        var removed = w.Mul(
            w.GreaterF(ReduceMaxOver(w, w.Mul(flood5, negative), 2), half),
            w.GreaterF(negativeSimilarity, positiveSimilarity));
        var perItem = (string value) => w.Reshape(value, 1, -1, 1, 1); // [B,1] → [1,B,1,1]
        var inBox = w.Mul(
            w.Mul(w.ToFloat(w.Op("GreaterOrEqual", [gridX, perItem(x1)])), w.ToFloat(w.Op("LessOrEqual", [gridX, perItem(x2)]))),
            w.Mul(w.ToFloat(w.Op("GreaterOrEqual", [gridY, perItem(y1)])), w.ToFloat(w.Op("LessOrEqual", [gridY, perItem(y2)]))));
        var box = w.Max(inBox, w.Sub(w.Scalar(1f), perItem(hasBox)));
        var region = w.Mul(w.Mul(selected, w.Sub(w.Scalar(1f), removed)), box); // [3,B,256,256]

        // Logits: inside ≥ 0.1·scale, the ring just outside follows the similarity (≤ −0.1·scale), the rest −scale.
        var similarityOfPositives = w.Clip(positiveSimilarity, -1f, 1f);
        var grown = w.MaxPool3(region);
        var ring = w.Sub(grown, region);
        var inside = w.Mul(region, w.Max(similarityOfPositives, w.Scalar(0.1f)));
        var border = w.Mul(ring, w.Min(similarityOfPositives, w.Scalar(-0.1f)));
        var outside = w.Sub(grown, w.Scalar(1f));
        var logits3 = w.Mul(w.Add(w.Add(inside, border), outside), w.Scalar(LogitScale)); // [3,B,256,256]

        // Stability score: area above +0.3·scale over area above −0.3·scale. [B,3]
        var strong = w.ReduceSum(w.Reshape(w.GreaterF(logits3, w.Scalar(0.3f * LogitScale)), 3, 0, -1), 2, keepDims: false);
        var weak = w.ReduceSum(w.Reshape(w.GreaterF(logits3, w.Scalar(-0.3f * LogitScale)), 3, 0, -1), 2, keepDims: false);
        var stability = w.Transpose(w.Div(strong, w.Max(weak, w.Scalar(1f))), 1, 0);

        var multi = w.Transpose(logits3, 1, 0, 2, 3); // [B,3,256,256]
        var lowResMasks = w.Concat(1, w.Slice(multi, 1, 1, 2), multi);
        w.Op("Identity", [lowResMasks], output: "low_res_masks");
        w.Op("Identity", [w.Concat(1, w.Slice(stability, 1, 1, 2), stability)], output: "iou_predictions");
        WriteMasksAtOriginalSize(w, lowResMasks, origImSize);

        w.Builder.Output("masks", TensorElementType.Float, batch, 4, "height", "width");
        w.Builder.Output("iou_predictions", TensorElementType.Float, batch, 4);
        w.Builder.Output("low_res_masks", TensorElementType.Float, batch, 4, LowRes, LowRes);
        return w;
    }

    /// <summary>
    /// Each point's feature averaged under its bump: <c>[P, C]</c> from the <c>[B, C, 256, 256]</c> feature of the
    /// batch; also returns the points' own planes, <c>[P, C, 256, 256]</c>.
    /// </summary>
    public static (string AtPoints, string Planes) SampleAtPoints(GraphWriter w, string feature, string itemOf, string weights, string weightSums)
    {
        var planes = w.Op("Gather", [feature, itemOf]); // [P,C,256,256]
        var sums = w.Op("MatMul", [w.Reshape(planes, 0, 0, -1), w.Reshape(weights, 0, -1, 1)]); // [P,C,1]
        return (w.Div(w.Reshape(sums, 0, -1), weightSums), planes);
    }

    /// <summary>Max over <paramref name="axis"/>, dropping it.</summary>
    private static string ReduceMaxOver(GraphWriter w, string value, long axis) => w.ReduceMax(value, axis, keepDims: false);

    /// <summary>
    /// Returns a function that spreads a <c>[3,P,256,256]</c> value over the slots <c>[3,B,S,256,256]</c>
    /// (<paramref name="slotShape"/> = [B,S]; a slot that does not flood reads a zero plane).
    /// </summary>
    private static Func<string, string> ToSlots(GraphWriter w, string slotFloods, string slotShape)
    {
        // Slot k of the flattened [B·S] reads point CumSum(floods)[k] − 1 when it floods, else the zero plane at index P.
        var isFlood = w.Op("Greater", [slotFloods, w.Scalar(0f)]);
        var rank = w.Op("Cast", [w.Sub(w.Op("CumSum", [slotFloods, w.Longs(0)]), w.Scalar(1f))], x => x.Int("to", (long)TensorElementType.Int64));
        var zeroPlane = w.Op("Cast", [w.ReduceSum(slotFloods, 0)], x => x.Int("to", (long)TensorElementType.Int64));
        var index = w.Op("Where", [isFlood, rank, zeroPlane]);
        var shape = w.Concat(0, w.Longs(3), slotShape, w.Longs(LowRes, LowRes));
        return value =>
        {
            var padded = w.Concat(1, value, w.Mul(w.Slice(value, 1, 0, 1), w.Scalar(0f)));
            return w.Op("Reshape", [w.Op("Gather", [padded, index], x => x.Int("axis", 1)), shape]);
        };
    }

    /// <summary>Coarse-to-fine morphological reconstruction of <paramref name="seed"/> under <paramref name="allowed"/> (both [3,P,256,256]).</summary>
    private static string Flood(GraphWriter w, string seed, string allowed)
    {
        // Pyramids, fine to coarse: allowed erodes (a coarse cell is allowed only if all its cells are), seeds keep their max.
        var allowedAt = new string[Levels.Length];
        var seedAt = new string[Levels.Length];
        allowedAt[^1] = allowed;
        seedAt[^1] = seed;
        for (var level = Levels.Length - 2; level >= 0; level--)
        {
            var factor = Levels[level + 1].Size / Levels[level].Size;
            allowedAt[level] = w.Neg(w.MaxPoolDown(w.Neg(allowedAt[level + 1]), factor));
            seedAt[level] = w.Min(w.MaxPoolDown(seedAt[level + 1], factor), allowedAt[level]);
        }

        string? current = null;
        for (var level = 0; level < Levels.Length; level++)
        {
            current = current is null
                ? seedAt[level]
                : w.Max(seedAt[level], w.Min(w.Upsample(current, Levels[level].Size / Levels[level - 1].Size, "nearest"), allowedAt[level]));
            for (var step = 0; step < Levels[level].Steps; step++)
            {
                current = w.Min(w.MaxPool3(current), allowedAt[level]);
            }
        }

        return current!;
    }

    /// <summary>
    /// SAM's <c>mask_postprocessing</c> in the graph: low-res → 1024² (bilinear), crop to the resized
    /// image, → <c>orig_im_size</c> (bilinear). Computed here from <c>orig_im_size</c> at run time.
    /// </summary>
    private static void WriteMasksAtOriginalSize(GraphWriter w, string lowResMasks, string origImSize)
    {
        var upscaled = w.Upsample(lowResMasks, 1024f / LowRes, "linear");
        var scale = w.Div(w.Scalar(1024f), w.ReduceMax(origImSize, 0));
        var resized = w.Op("Cast", [w.Op("Floor", [w.Add(w.Mul(origImSize, scale), w.Scalar(0.5f))])], x => x.Int("to", (long)TensorElementType.Int64));
        var cropped = w.Op("Slice", [upscaled, w.Longs(0, 0), resized, w.Longs(2, 3)]);
        var batchAndMasks = w.Op("Slice", [w.Op("Shape", [lowResMasks]), w.Longs(0), w.Longs(2)]);
        var sizes = w.Concat(0, batchAndMasks, w.Op("Cast", [origImSize], x => x.Int("to", (long)TensorElementType.Int64)));
        w.Op("Resize", [cropped, string.Empty, string.Empty, sizes], x => x.String("mode", "linear").String("coordinate_transformation_mode", "half_pixel"), output: "masks");
    }
}
