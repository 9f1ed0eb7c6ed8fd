using System.Buffers;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Atelier.Imaging;

/// <summary>
/// A separable 8-bit resampler that reproduces Pillow's <c>ImagingResample</c> bit for bit
/// (libImaging/Resample.c), because SAM's reference transform resizes through PIL:
/// <list type="number">
/// <item>Per axis, <c>scale = in / out</c>, <c>filterscale = max(scale, 1)</c>,
/// <c>support = filter.support · filterscale</c>, <c>ksize = ceil(support)·2 + 1</c>.</item>
/// <item>For output index i: <c>center = (i + 0.5)·scale</c>, <c>xmin = max(0, (int)(center − support + 0.5))</c>,
/// <c>xmax = min(in, (int)(center + support + 0.5))</c>, weight of input x is
/// <c>filter((x − center + 0.5) / filterscale)</c>, normalised to sum 1 (in double).</item>
/// <item>Weights become fixed point with 22 fraction bits (<c>(int)(w·2²² ± 0.5)</c>); each pass sums
/// <c>2²¹ + Σ pixel·weight</c>, shifts right by 22 and clamps to 0..255.</item>
/// <item>The horizontal pass runs first (only over the rows the vertical pass reads) into an 8-bit
/// temporary, then the vertical pass; an axis whose size does not change is skipped.</item>
/// </list>
/// Triangle filter: <c>f(x) = 1 − |x|</c> for |x| &lt; 1, support 1. Box: <c>f(x) = 1</c> for −½ &lt; x ≤ ½, support ½.
/// </summary>
internal static class Resampler
{
    internal const int PrecisionBits = 22;
    private const int Half = 1 << (PrecisionBits - 1);

    /// <summary>The normalised double weights of one axis (Pillow's <c>precompute_coeffs</c>). Pooled arrays; return them with <see cref="Kernel.Dispose"/>.</summary>
    internal static Kernel Precompute(int inSize, int outSize, ResizeFilter filter)
    {
        Debug.Assert(inSize > 0 && outSize > 0);
        var filterSupport = filter == ResizeFilter.Bilinear ? 1.0 : 0.5;
        var scale = (double)inSize / outSize;
        var filterScale = Math.Max(scale, 1.0);
        var support = filterSupport * filterScale;
        var ksize = ((int)Math.Ceiling(support) * 2) + 1;
        var bounds = ArrayPool<int>.Shared.Rent(outSize * 2);
        var weights = ArrayPool<double>.Shared.Rent(outSize * ksize);
        var coefficients = ArrayPool<int>.Shared.Rent(outSize * ksize);
        var ss = 1.0 / filterScale;
        for (var xx = 0; xx < outSize; xx++)
        {
            var center = (xx + 0.5) * scale;
            var xmin = (int)(center - support + 0.5);
            if (xmin < 0)
            {
                xmin = 0;
            }

            var xmax = (int)(center + support + 0.5);
            if (xmax > inSize)
            {
                xmax = inSize;
            }

            xmax -= xmin;
            var k = weights.AsSpan(xx * ksize, ksize);
            var total = 0.0;
            int x;
            for (x = 0; x < xmax; x++)
            {
                var w = Evaluate(filter, (x + xmin - center + 0.5) * ss);
                k[x] = w;
                total += w;
            }

            for (x = 0; x < xmax; x++)
            {
                if (total != 0.0)
                {
                    k[x] /= total;
                }
            }

            k[xmax..].Clear();
            bounds[xx * 2] = xmin;
            bounds[(xx * 2) + 1] = xmax;
        }

        for (var i = 0; i < outSize * ksize; i++)
        {
            var w = weights[i] * (1 << PrecisionBits);
            coefficients[i] = (int)(w < 0 ? -0.5 + w : 0.5 + w);
        }

        return new Kernel(ksize, outSize, bounds, weights, coefficients);
    }

    private static double Evaluate(ResizeFilter filter, double x)
    {
        if (filter == ResizeFilter.Area)
        {
            return x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
        }

        if (x < 0.0)
        {
            x = -x;
        }

        return x < 1.0 ? 1.0 - x : 0.0;
    }

    /// <summary>Resizes an interleaved 8-bit image with <paramref name="channels"/> channels (1 to 4).</summary>
    public static void Resize(ReadOnlySpan<byte> source, int sourceWidth, int sourceHeight, Span<byte> destination, int width, int height, int channels, ResizeFilter filter)
    {
        Debug.Assert(channels is >= 1 and <= 4);
        Debug.Assert(source.Length >= sourceWidth * sourceHeight * channels && destination.Length >= width * height * channels);
        var needHorizontal = width != sourceWidth;
        var needVertical = height != sourceHeight;
        if (!needHorizontal && !needVertical)
        {
            source[..(width * height * channels)].CopyTo(destination);
            return;
        }

        if (!needVertical)
        {
            using var horizontal = Precompute(sourceWidth, width, filter);
            HorizontalPass(source, sourceWidth, destination, width, 0, height, channels, horizontal);
            return;
        }

        using var vertical = Precompute(sourceHeight, height, filter);
        if (!needHorizontal)
        {
            VerticalPass(source, destination, width * channels, height, 0, vertical);
            return;
        }

        using var kernel = Precompute(sourceWidth, width, filter);

        // Only rows first..last of the source feed the vertical pass.
        var first = vertical.Bounds[0];
        var last = vertical.Bounds[(height - 1) * 2] + vertical.Bounds[((height - 1) * 2) + 1];
        var temp = ImageBufferPool.Bytes.Rent((last - first) * width * channels);
        try
        {
            HorizontalPass(source[(first * sourceWidth * channels)..], sourceWidth, temp, width, 0, last - first, channels, kernel);
            VerticalPass(temp, destination, width * channels, height, first, vertical);
        }
        finally
        {
            ImageBufferPool.Bytes.Return(temp);
        }
    }

    private static void HorizontalPass(ReadOnlySpan<byte> source, int sourceWidth, Span<byte> destination, int width, int rowStart, int rowCount, int channels, Kernel kernel)
    {
        var ksize = kernel.Size;
        var bounds = kernel.Bounds;
        var coefficients = kernel.Coefficients;
        for (var y = rowStart; y < rowStart + rowCount; y++)
        {
            var src = source.Slice(y * sourceWidth * channels, sourceWidth * channels);
            var dst = destination.Slice(y * width * channels, width * channels);
            if (channels == 3)
            {
                // Hot loop: bounds were validated by Precompute (xmin + count <= sourceWidth), so index by ref.
                // Each tap loads 4 bytes (R, G, B and the next pixel's R) into four int lanes and does one
                // vector multiply-add; the fourth lane is ignored. Where those 4 bytes would run past the
                // source, the scalar loop does the pixel instead. Integer sums are exact, so both agree.
                var available = source.Length - (y * sourceWidth * 3);
                ref var s0 = ref MemoryMarshal.GetReference(src);
                ref var d0 = ref MemoryMarshal.GetReference(dst);
                ref var c0 = ref MemoryMarshal.GetArrayDataReference(coefficients);
                for (var xx = 0; xx < width; xx++)
                {
                    var xmin = bounds[xx * 2];
                    var count = bounds[(xx * 2) + 1];
                    ref var k = ref Unsafe.Add(ref c0, xx * ksize);
                    ref var p = ref Unsafe.Add(ref s0, xmin * 3);
                    int a0, a1, a2;
                    if (Vector128.IsHardwareAccelerated && ((xmin + count) * 3) + 1 <= available)
                    {
                        var acc = Vector128.Create(Half);
                        for (var x = 0; x < count; x++)
                        {
                            var bytes = Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, x * 3))).AsByte();
                            var ints = Vector128.WidenLower(Vector128.WidenLower(bytes)).AsInt32();
                            acc += ints * Vector128.Create(Unsafe.Add(ref k, x));
                        }

                        (a0, a1, a2) = (acc.GetElement(0), acc.GetElement(1), acc.GetElement(2));
                    }
                    else
                    {
                        (a0, a1, a2) = (Half, Half, Half);
                        for (var x = 0; x < count; x++)
                        {
                            var w = Unsafe.Add(ref k, x);
                            a0 += Unsafe.Add(ref p, x * 3) * w;
                            a1 += Unsafe.Add(ref p, (x * 3) + 1) * w;
                            a2 += Unsafe.Add(ref p, (x * 3) + 2) * w;
                        }
                    }

                    ref var o = ref Unsafe.Add(ref d0, xx * 3);
                    o = Clip8(a0);
                    Unsafe.Add(ref o, 1) = Clip8(a1);
                    Unsafe.Add(ref o, 2) = Clip8(a2);
                }
            }
            else
            {
                for (var xx = 0; xx < width; xx++)
                {
                    var xmin = bounds[xx * 2];
                    var k = coefficients.AsSpan(xx * ksize, bounds[(xx * 2) + 1]);
                    for (var c = 0; c < channels; c++)
                    {
                        var s = Half;
                        for (var x = 0; x < k.Length; x++)
                        {
                            s += src[((xmin + x) * channels) + c] * k[x];
                        }

                        dst[(xx * channels) + c] = Clip8(s);
                    }
                }
            }
        }
    }

    /// <summary>Vertical pass over whole rows: each output row is a weighted sum of source rows, done with <see cref="Vector{T}"/> lanes.</summary>
    private static void VerticalPass(ReadOnlySpan<byte> source, Span<byte> destination, int rowBytes, int height, int firstRow, Kernel kernel)
    {
        var ksize = kernel.Size;
        var accumulator = ArrayPool<int>.Shared.Rent(rowBytes);
        try
        {
            var acc = accumulator.AsSpan(0, rowBytes);
            for (var yy = 0; yy < height; yy++)
            {
                var ymin = kernel.Bounds[yy * 2] - firstRow;
                var k = kernel.Coefficients.AsSpan(yy * ksize, kernel.Bounds[(yy * 2) + 1]);
                acc.Fill(Half);
                for (var y = 0; y < k.Length; y++)
                {
                    MultiplyAdd(source.Slice((ymin + y) * rowBytes, rowBytes), k[y], acc);
                }

                StoreClipped(acc, destination.Slice(yy * rowBytes, rowBytes));
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(accumulator);
        }
    }

    /// <summary><c>acc[i] += row[i] · weight</c>, widened byte → int in SIMD lanes.</summary>
    private static void MultiplyAdd(ReadOnlySpan<byte> row, int weight, Span<int> acc)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && row.Length >= Vector<byte>.Count)
        {
            var w = new Vector<int>(weight);
            var n = Vector<int>.Count;
            for (; i <= row.Length - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                Vector.Widen(new Vector<byte>(row[i..]), out var lo16, out var hi16);
                Vector.Widen(lo16, out var a, out var b);
                Vector.Widen(hi16, out var c, out var d);
                var t = acc[i..];
                (new Vector<int>(t) + (Vector.AsVectorInt32(a) * w)).CopyTo(t);
                (new Vector<int>(t[n..]) + (Vector.AsVectorInt32(b) * w)).CopyTo(t[n..]);
                (new Vector<int>(t[(2 * n)..]) + (Vector.AsVectorInt32(c) * w)).CopyTo(t[(2 * n)..]);
                (new Vector<int>(t[(3 * n)..]) + (Vector.AsVectorInt32(d) * w)).CopyTo(t[(3 * n)..]);
            }
        }

        for (; i < row.Length; i++)
        {
            acc[i] += row[i] * weight;
        }
    }

    /// <summary><c>dst[i] = clamp(acc[i] &gt;&gt; 22, 0, 255)</c>, narrowing four int vectors to one byte vector at a time.</summary>
    private static void StoreClipped(ReadOnlySpan<int> acc, Span<byte> dst)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && dst.Length >= Vector<byte>.Count)
        {
            var n = Vector<int>.Count;
            var max = new Vector<int>(255);
            for (; i <= dst.Length - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                var a = Vector.AsVectorUInt32(Vector.Min(Vector.Max(Vector.ShiftRightArithmetic(new Vector<int>(acc[i..]), PrecisionBits), Vector<int>.Zero), max));
                var b = Vector.AsVectorUInt32(Vector.Min(Vector.Max(Vector.ShiftRightArithmetic(new Vector<int>(acc[(i + n)..]), PrecisionBits), Vector<int>.Zero), max));
                var c = Vector.AsVectorUInt32(Vector.Min(Vector.Max(Vector.ShiftRightArithmetic(new Vector<int>(acc[(i + (2 * n))..]), PrecisionBits), Vector<int>.Zero), max));
                var d = Vector.AsVectorUInt32(Vector.Min(Vector.Max(Vector.ShiftRightArithmetic(new Vector<int>(acc[(i + (3 * n))..]), PrecisionBits), Vector<int>.Zero), max));
                Vector.Narrow(Vector.Narrow(a, b), Vector.Narrow(c, d)).CopyTo(dst[i..]);
            }
        }

        for (; i < dst.Length; i++)
        {
            dst[i] = Clip8(acc[i]);
        }
    }

    private static byte Clip8(int value)
    {
        var v = value >> PrecisionBits;
        return v < 0 ? (byte)0 : v > 255 ? (byte)255 : (byte)v;
    }

    /// <summary>One axis' kernel: <see cref="Bounds"/> holds (first input index, tap count) per output index.</summary>
    internal readonly struct Kernel(int size, int outSize, int[] bounds, double[] weights, int[] coefficients) : IDisposable
    {
        public int Size { get; } = size;

        public int OutSize { get; } = outSize;

        public int[] Bounds { get; } = bounds;

        /// <summary>The normalised double weights, <see cref="Size"/> per output index.</summary>
        public double[] Weights { get; } = weights;

        /// <summary>The fixed-point weights (22 fraction bits).</summary>
        public int[] Coefficients { get; } = coefficients;

        public void Dispose()
        {
            ArrayPool<int>.Shared.Return(Bounds);
            ArrayPool<double>.Shared.Return(Weights);
            ArrayPool<int>.Shared.Return(Coefficients);
        }
    }
}
