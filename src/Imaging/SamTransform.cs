using System.Numerics;
using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Atelier.Imaging;

/// <summary>
/// SAM's image and prompt transforms for one original image size, matching the reference
/// <c>ResizeLongestSide</c> + <c>Sam.preprocess</c> + <c>Sam.postprocess_masks</c>:
/// <list type="bullet">
/// <item>Target size: <c>scale = L / max(h, w)</c>, <c>newh = (int)(h·scale + 0.5)</c>, <c>neww = (int)(w·scale + 0.5)</c> (L = 1024).</item>
/// <item>Resize with PIL BILINEAR semantics (<see cref="Resampler"/>: antialiased triangle filter), to uint8.</item>
/// <item>Normalise <c>(x − mean) / std</c> in float32 with mean (123.675, 116.28, 103.53) and std (58.395, 57.12, 57.375), RGB,
/// planar CHW, then pad bottom/right with zeros to L×L (padding after normalisation, so pads are 0, not −mean/std).</item>
/// <item>Points: <c>x' = x·(neww / w)</c>, <c>y' = y·(newh / h)</c>, computed in double like numpy; boxes as two corners.</item>
/// <item>Masks: low-res logits (256×256) → bilinear (align_corners=false) to L×L → crop to newh×neww → bilinear to h×w → <c>&gt; 0</c>.</item>
/// </list>
/// </summary>
public sealed class SamTransform
{
    /// <summary>SAM's input side, 1024.</summary>
    public const int DefaultTargetLength = 1024;

    /// <summary>SAM's low-resolution mask side, 256.</summary>
    public const int LowResSize = 256;

    private static readonly float[] PixelMean = [123.675f, 116.28f, 103.53f];
    private static readonly float[] PixelStd = [58.395f, 57.12f, 57.375f];

    /// <summary>
    /// <c>(v − mean_c) / std_c</c> for every byte value v and channel c, computed once in float32. A lookup
    /// gives exactly the float the per-pixel subtraction and division would, and costs less than either.
    /// </summary>
    private static readonly float[] NormalizeTable = BuildNormalizeTable();

    /// <summary>Creates the transform for an original image of <paramref name="width"/>×<paramref name="height"/>.</summary>
    public SamTransform(int width, int height, int targetLength = DefaultTargetLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetLength);
        OriginalWidth = width;
        OriginalHeight = height;
        TargetLength = targetLength;
        (ResizedHeight, ResizedWidth) = GetPreprocessShape(height, width, targetLength);
    }

    /// <summary>Original width w.</summary>
    public int OriginalWidth { get; }

    /// <summary>Original height h.</summary>
    public int OriginalHeight { get; }

    /// <summary>The model's square input side L.</summary>
    public int TargetLength { get; }

    /// <summary>neww.</summary>
    public int ResizedWidth { get; }

    /// <summary>newh.</summary>
    public int ResizedHeight { get; }

    /// <summary>Floats in the padded CHW tensor: 3·L·L.</summary>
    public int ChwLength => 3 * TargetLength * TargetLength;

    /// <summary>Floats in the unpadded HWC tensor: newh·neww·3.</summary>
    public int HwcLength => ResizedHeight * ResizedWidth * 3;

    /// <summary><c>ResizeLongestSide.get_preprocess_shape</c>: (newh, neww).</summary>
    public static (int Height, int Width) GetPreprocessShape(int height, int width, int longSideLength)
    {
        var scale = longSideLength * 1.0 / Math.Max(height, width);
        return ((int)((height * scale) + 0.5), (int)((width * scale) + 0.5));
    }

    /// <summary>The image resized to newh×neww with PIL BILINEAR semantics (8-bit). The caller disposes it.</summary>
    public RgbImage Resize(RgbImage image)
    {
        CheckSize(image);
        var resized = new RgbImage(ResizedWidth, ResizedHeight);
        Resampler.Resize(image.Pixels, image.Width, image.Height, resized.Pixels, ResizedWidth, ResizedHeight, 3, ResizeFilter.Bilinear);
        return resized;
    }

    /// <summary>Writes the normalised, zero-padded [3, L, L] float32 tensor into <paramref name="chw"/> (at least <see cref="ChwLength"/> floats).</summary>
    public void Preprocess(RgbImage image, Span<float> chw)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chw.Length, ChwLength);
        using var resized = Resize(image);
        int l = TargetLength, nw = ResizedWidth, nh = ResizedHeight, plane = l * l;
        var pixels = resized.Pixels;
        var table = NormalizeTable.AsSpan();
        var r = chw[..plane];
        var g = chw.Slice(plane, plane);
        var b = chw.Slice(2 * plane, plane);
        for (var y = 0; y < nh; y++)
        {
            var src = pixels.Slice(y * nw * 3, nw * 3);
            var o = y * l;
            ref var source = ref MemoryMarshal.GetReference(src);
            ref var rr = ref MemoryMarshal.GetReference(r.Slice(o, nw));
            ref var gg = ref MemoryMarshal.GetReference(g.Slice(o, nw));
            ref var bb = ref MemoryMarshal.GetReference(b.Slice(o, nw));
            ref var t = ref MemoryMarshal.GetReference(table);
            for (int x = 0, s = 0; x < nw; x++, s += 3)
            {
                Unsafe.Add(ref rr, x) = Unsafe.Add(ref t, Unsafe.Add(ref source, s));
                Unsafe.Add(ref gg, x) = Unsafe.Add(ref t, 256 + Unsafe.Add(ref source, s + 1));
                Unsafe.Add(ref bb, x) = Unsafe.Add(ref t, 512 + Unsafe.Add(ref source, s + 2));
            }

            if (nw < l)
            {
                r.Slice(o + nw, l - nw).Clear();
                g.Slice(o + nw, l - nw).Clear();
                b.Slice(o + nw, l - nw).Clear();
            }
        }

        if (nh < l)
        {
            r[(nh * l)..].Clear();
            g[(nh * l)..].Clear();
            b[(nh * l)..].Clear();
        }
    }

    /// <summary>Writes the resized image as [newh, neww, 3] float32 in 0..255, unnormalised and unpadded (for exports whose graph normalises and pads).</summary>
    public void PreprocessHwc(RgbImage image, Span<float> hwc)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hwc.Length, HwcLength);
        using var resized = Resize(image);
        var pixels = resized.Pixels;
        for (var i = 0; i < pixels.Length; i++)
        {
            hwc[i] = pixels[i];
        }
    }

    /// <summary>Transforms interleaved (x, y) pairs in place from original to model coordinates.</summary>
    public void ApplyCoords(Span<float> xy)
    {
        if (xy.Length % 2 != 0)
        {
            throw new ArgumentException("Coordinates come in (x, y) pairs.", nameof(xy));
        }

        var sx = (double)ResizedWidth / OriginalWidth;
        var sy = (double)ResizedHeight / OriginalHeight;
        for (var i = 0; i < xy.Length; i += 2)
        {
            xy[i] = (float)(xy[i] * sx);
            xy[i + 1] = (float)(xy[i + 1] * sy);
        }
    }

    /// <summary>Transforms boxes (x1, y1, x2, y2) in place: each box is two corners.</summary>
    public void ApplyBoxes(Span<float> boxes)
    {
        if (boxes.Length % 4 != 0)
        {
            throw new ArgumentException("Boxes come as (x1, y1, x2, y2).", nameof(boxes));
        }

        ApplyCoords(boxes);
    }

    /// <summary>
    /// Upscales one low-res logit map ([<paramref name="lowResHeight"/>, <paramref name="lowResWidth"/>], SAM: 256×256) to the
    /// original h×w as float logits in <paramref name="logits"/> (h·w floats): bilinear to L×L, crop newh×neww, bilinear to h×w.
    /// </summary>
    public void PostprocessLogits(ReadOnlySpan<float> lowRes, Span<float> logits, int lowResWidth = LowResSize, int lowResHeight = LowResSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(logits.Length, OriginalWidth * OriginalHeight);
        Postprocess(lowRes, lowResWidth, lowResHeight, logits);
    }

    /// <summary>Like <see cref="PostprocessLogits"/>, thresholded: pixels whose logit is &gt; <paramref name="threshold"/> (SAM: 0) are 255. The caller disposes the mask.</summary>
    public Mask PostprocessMask(ReadOnlySpan<float> lowRes, float threshold = 0f, int lowResWidth = LowResSize, int lowResHeight = LowResSize)
    {
        var mask = new Mask(OriginalWidth, OriginalHeight, clear: false);
        try
        {
            PostprocessThresholded(lowRes, lowResWidth, lowResHeight, mask, threshold);
            return mask;
        }
        catch
        {
            mask.Dispose();
            throw;
        }
    }

    private void Postprocess(ReadOnlySpan<float> lowRes, int lowW, int lowH, Span<float> logits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lowRes.Length, lowW * lowH);
        int l = TargetLength, nw = ResizedWidth, nh = ResizedHeight, w = OriginalWidth, h = OriginalHeight;

        // Stage 1 (low-res → L×L, only the newh×neww crop is ever read) and stage 2 (crop → h×w) are both
        // separable; each computes (a·λ0x + b·λ1x)·λ0y + (c·λ0x + d·λ1x)·λ1y, PyTorch's order of operations.
        using var up = new LinearAxis(lowW, l);
        using var upY = new LinearAxis(lowH, l);
        using var down = new LinearAxis(nw, w);
        using var downY = new LinearAxis(nh, h);

        // Each low-res row interpolated to the crop width (stage 1, horizontal).
        var stage1Rows = ImageBufferPool.Floats.Rent(lowH * nw);
        var cropRow = ArrayPool<float>.Shared.Rent(nw);
        var rowA = ArrayPool<float>.Shared.Rent(w);
        var rowB = ArrayPool<float>.Shared.Rent(w);
        try
        {
            for (var y = 0; y < lowH; y++)
            {
                ApplyCropped(up, lowRes.Slice(y * lowW, lowW), stage1Rows.AsSpan(y * nw, nw));
            }

            int indexA = -1, indexB = -1;
            for (var oy = 0; oy < h; oy++)
            {
                int r0 = downY.Index0(oy), r1 = downY.Index1(oy);
                if (indexA != r0)
                {
                    if (indexB == r0)
                    {
                        (rowA, rowB) = (rowB, rowA);
                        (indexA, indexB) = (indexB, indexA);
                    }
                    else
                    {
                        CropRowToOutput(stage1Rows, upY, down, nw, r0, cropRow, rowA);
                        indexA = r0;
                    }
                }

                if (indexB != r1)
                {
                    CropRowToOutput(stage1Rows, upY, down, nw, r1, cropRow, rowB);
                    indexB = r1;
                }

                Lerp(rowA.AsSpan(0, w), rowB.AsSpan(0, w), downY.Lambda0(oy), downY.Lambda1(oy), logits.Slice(oy * w, w));
            }
        }
        finally
        {
            ImageBufferPool.Floats.Return(stage1Rows);
            ArrayPool<float>.Shared.Return(cropRow);
            ArrayPool<float>.Shared.Return(rowA);
            ArrayPool<float>.Shared.Return(rowB);
        }
    }

    /// <summary>Output pixels per chunk of <see cref="PostprocessThresholded"/>.</summary>
    private const int ChunkWidth = 64;

    /// <summary>
    /// <see cref="Postprocess"/> with a mask as the output, computing only what the threshold needs. An output pixel is
    /// a convex combination (two bilinear stages) of the crop-row values around it, so a chunk of
    /// <see cref="ChunkWidth"/> pixels whose contributing values all lie above the threshold (or all below) by more than
    /// the rounding of two interpolations (a relative 1e-5, ~25× that bound) is filled without interpolating it; every
    /// other chunk is computed exactly as <see cref="Postprocess"/> does, so the mask is bit-identical to thresholding
    /// the full logits. A mask is mostly inside or outside the object: only chunks along its edge are interpolated.
    /// </summary>
    private void PostprocessThresholded(ReadOnlySpan<float> lowRes, int lowW, int lowH, Mask mask, float threshold)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lowRes.Length, lowW * lowH);
        int l = TargetLength, nw = ResizedWidth, w = OriginalWidth, h = OriginalHeight;
        using var up = new LinearAxis(lowW, l);
        using var upY = new LinearAxis(lowH, l);
        using var down = new LinearAxis(nw, w);
        using var downY = new LinearAxis(ResizedHeight, h);

        var chunks = (w + ChunkWidth - 1) / ChunkWidth;
        var stage1Rows = ImageBufferPool.Floats.Rent(lowH * nw);
        var a = new CropRow(nw, w, chunks);
        var b = new CropRow(nw, w, chunks);
        try
        {
            // Only the low-res rows the crop reads (about newh / L of them).
            var usedRows = upY.Index1(ResizedHeight - 1) + 1;
            for (var y = 0; y < usedRows; y++)
            {
                ApplyCropped(up, lowRes.Slice(y * lowW, lowW), stage1Rows.AsSpan(y * nw, nw));
            }

            var margin = 1e-5f;
            var absThreshold = Math.Abs(threshold);
            for (var oy = 0; oy < h; oy++)
            {
                int r0 = downY.Index0(oy), r1 = downY.Index1(oy);
                if (a.Row != r0)
                {
                    if (b.Row == r0)
                    {
                        (a, b) = (b, a);
                    }
                    else
                    {
                        a.Load(stage1Rows, upY, down, nw, r0);
                    }
                }

                if (b.Row != r1)
                {
                    b.Load(stage1Rows, upY, down, nw, r1);
                }

                float l0 = downY.Lambda0(oy), l1 = downY.Lambda1(oy);
                var dst = mask.Row(oy);
                for (var c = 0; c < chunks; c++)
                {
                    int x0 = c * ChunkWidth, x1 = Math.Min(w, x0 + ChunkWidth);
                    if (a.Plain[c] && b.Plain[c])
                    {
                        var min = Math.Min(a.Min[c], b.Min[c]);
                        var max = Math.Max(a.Max[c], b.Max[c]);
                        var tolerance = (margin * (Math.Max(Math.Abs(min), Math.Abs(max)) + absThreshold)) + 1e-30f;
                        if (min > threshold + tolerance)
                        {
                            dst[x0..x1].Fill(Mask.On);
                            continue;
                        }

                        if (max < threshold - tolerance)
                        {
                            dst[x0..x1].Clear();
                            continue;
                        }
                    }

                    a.EnsureOutput(down, c, x0, x1);
                    b.EnsureOutput(down, c, x0, x1);
                    LerpThreshold(a.Output.AsSpan(x0, x1 - x0), b.Output.AsSpan(x0, x1 - x0), l0, l1, threshold, dst[x0..x1]);
                }
            }
        }
        finally
        {
            ImageBufferPool.Floats.Return(stage1Rows);
            a.Dispose();
            b.Dispose();
        }
    }

    /// <summary>
    /// One row of the cropped L×L map (interpolated vertically from two stage-1 rows), the range of its values under
    /// each output chunk, and that row interpolated to the output width, chunk by chunk on demand.
    /// </summary>
    private sealed class CropRow(int nw, int w, int chunks) : IDisposable
    {
        public int Row { get; private set; } = -1;

        public float[] Crop { get; } = ArrayPool<float>.Shared.Rent(nw);

        public float[] Output { get; } = ArrayPool<float>.Shared.Rent(w);

        public float[] Min { get; } = ArrayPool<float>.Shared.Rent(chunks);

        public float[] Max { get; } = ArrayPool<float>.Shared.Rent(chunks);

        /// <summary>Whether the chunk's values are all numbers (a NaN is never taken as uniform).</summary>
        public bool[] Plain { get; } = ArrayPool<bool>.Shared.Rent(chunks);

        private readonly bool[] _computed = ArrayPool<bool>.Shared.Rent(chunks);

        public void Load(float[] stage1Rows, LinearAxis upY, LinearAxis down, int width, int row)
        {
            var crop = Crop.AsSpan(0, width);
            Lerp(stage1Rows.AsSpan(upY.Index0(row) * width, width), stage1Rows.AsSpan(upY.Index1(row) * width, width),
                upY.Lambda0(row), upY.Lambda1(row), crop);
            for (var c = 0; c < chunks; c++)
            {
                int x0 = c * ChunkWidth, x1 = Math.Min(w, x0 + ChunkWidth);
                var (min, max, plain) = Range(crop[down.Index0(x0)..(down.Index1(x1 - 1) + 1)]);
                (Min[c], Max[c], Plain[c], _computed[c]) = (min, max, plain, false);
            }

            Row = row;
        }

        /// <summary>Smallest and largest value, and whether none is NaN (then min and max mean nothing).</summary>
        private static (float Min, float Max, bool Plain) Range(ReadOnlySpan<float> values)
        {
            float min = float.PositiveInfinity, max = float.NegativeInfinity;
            var plain = true;
            var i = 0;
            var n = Vector<float>.Count;
            if (Vector.IsHardwareAccelerated && values.Length >= n)
            {
                var low = new Vector<float>(values);
                var high = low;
                var numbers = Vector.Equals(low, low);
                for (i = n; i <= values.Length - n; i += n)
                {
                    var v = new Vector<float>(values[i..]);
                    low = Vector.Min(low, v);
                    high = Vector.Max(high, v);
                    numbers &= Vector.Equals(v, v);
                }

                plain = numbers == Vector<int>.AllBitsSet;
                for (var lane = 0; lane < n; lane++)
                {
                    min = Math.Min(min, low[lane]);
                    max = Math.Max(max, high[lane]);
                }
            }

            for (; i < values.Length; i++)
            {
                var v = values[i];
                min = Math.Min(min, v);
                max = Math.Max(max, v);
                plain &= !float.IsNaN(v);
            }

            return (min, max, plain);
        }

        public void EnsureOutput(LinearAxis down, int chunk, int x0, int x1)
        {
            if (!_computed[chunk])
            {
                down.Apply(Crop, Output, x0, x1);
                _computed[chunk] = true;
            }
        }

        public void Dispose()
        {
            ArrayPool<float>.Shared.Return(Crop);
            ArrayPool<float>.Shared.Return(Output);
            ArrayPool<float>.Shared.Return(Min);
            ArrayPool<float>.Shared.Return(Max);
            ArrayPool<bool>.Shared.Return(Plain);
            ArrayPool<bool>.Shared.Return(_computed);
        }
    }

    /// <summary>Row <paramref name="row"/> of the L×L upscaled map, cropped to neww, then interpolated horizontally to w.</summary>
    private static void CropRowToOutput(float[] stage1Rows, LinearAxis upY, LinearAxis down, int nw, int row, float[] cropRow, float[] output)
    {
        Debug.Assert(row < upY.Count);
        var a = stage1Rows.AsSpan(upY.Index0(row) * nw, nw);
        var b = stage1Rows.AsSpan(upY.Index1(row) * nw, nw);
        float l0 = upY.Lambda0(row), l1 = upY.Lambda1(row);
        var crop = cropRow.AsSpan(0, nw);
        Lerp(a, b, l0, l1, crop);
        down.Apply(crop, output);
    }

    /// <summary>
    /// <c>output[x] = a[x]·l0 + b[x]·l1</c>, vectorized. Multiplications and the addition stay separate operations
    /// (no fused multiply-add), so every element is bit-identical to the scalar expression.
    /// </summary>
    private static void Lerp(ReadOnlySpan<float> a, ReadOnlySpan<float> b, float l0, float l1, Span<float> output)
    {
        var x = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var n = Vector<float>.Count;
            Vector<float> v0 = new(l0), v1 = new(l1);
            for (; x <= output.Length - n; x += n)
            {
                ((new Vector<float>(a[x..]) * v0) + (new Vector<float>(b[x..]) * v1)).CopyTo(output[x..]);
            }
        }

        for (; x < output.Length; x++)
        {
            output[x] = (a[x] * l0) + (b[x] * l1);
        }
    }

    /// <summary>
    /// <c>mask[x] = a[x]·l0 + b[x]·l1 &gt; threshold ? On : 0</c> in one pass: the interpolation of <see cref="Lerp"/>,
    /// compared and narrowed to bytes four float vectors at a time (all-ones lanes truncate to 0xFF, <see cref="Mask.On"/>).
    /// </summary>
    private static void LerpThreshold(ReadOnlySpan<float> a, ReadOnlySpan<float> b, float l0, float l1, float threshold, Span<byte> mask)
    {
        var x = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var n = Vector<float>.Count;
            Vector<float> v0 = new(l0), v1 = new(l1), t = new(threshold);
            for (; x <= mask.Length - (4 * n); x += 4 * n)
            {
                var m0 = Vector.AsVectorUInt32(Vector.GreaterThan((new Vector<float>(a[x..]) * v0) + (new Vector<float>(b[x..]) * v1), t));
                var m1 = Vector.AsVectorUInt32(Vector.GreaterThan((new Vector<float>(a[(x + n)..]) * v0) + (new Vector<float>(b[(x + n)..]) * v1), t));
                var m2 = Vector.AsVectorUInt32(Vector.GreaterThan((new Vector<float>(a[(x + (2 * n))..]) * v0) + (new Vector<float>(b[(x + (2 * n))..]) * v1), t));
                var m3 = Vector.AsVectorUInt32(Vector.GreaterThan((new Vector<float>(a[(x + (3 * n))..]) * v0) + (new Vector<float>(b[(x + (3 * n))..]) * v1), t));
                Vector.Narrow(Vector.Narrow(m0, m1), Vector.Narrow(m2, m3)).CopyTo(mask[x..]);
            }
        }

        for (; x < mask.Length; x++)
        {
            mask[x] = (a[x] * l0) + (b[x] * l1) > threshold ? Mask.On : (byte)0;
        }
    }

    /// <summary>The first <c>output.Length</c> columns of an axis interpolation (the crop needs no more).</summary>
    private static void ApplyCropped(LinearAxis axis, ReadOnlySpan<float> input, Span<float> output)
    {
        for (var i = 0; i < output.Length; i++)
        {
            output[i] = (input[axis.Index0(i)] * axis.Lambda0(i)) + (input[axis.Index1(i)] * axis.Lambda1(i));
        }
    }

    private void CheckSize(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Width != OriginalWidth || image.Height != OriginalHeight)
        {
            throw new ArgumentException($"The transform is for {OriginalWidth}x{OriginalHeight}; the image is {image.Width}x{image.Height}.", nameof(image));
        }
    }

    private static float[] BuildNormalizeTable()
    {
        var table = new float[3 * 256];
        for (var c = 0; c < 3; c++)
        {
            for (var v = 0; v < 256; v++)
            {
                table[(c * 256) + v] = (v - PixelMean[c]) / PixelStd[c];
            }
        }

        return table;
    }
}
