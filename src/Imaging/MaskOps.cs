using System.Buffers;
using System.Numerics;

namespace Atelier.Imaging;

/// <summary>Operations on binary masks (non-zero = foreground; results use 0/255, see <see cref="Mask"/>).</summary>
public static class MaskOps
{
    /// <summary>A mask of the values strictly greater than <paramref name="threshold"/> (SAM logits: 0). The caller disposes it.</summary>
    public static Mask Threshold(ReadOnlySpan<float> values, int width, int height, float threshold = 0f)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(values.Length, width * height);
        var mask = new Mask(width, height, clear: false);
        var data = mask.Data;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // Compare a Vector<float> at a time; each lane's all-ones result narrows to 0xFF.
            var t = new Vector<float>(threshold);
            var n = Vector<float>.Count;
            for (; i <= data.Length - (4 * n); i += 4 * n)
            {
                var a = Vector.GreaterThan(new Vector<float>(values[i..]), t);
                var b = Vector.GreaterThan(new Vector<float>(values[(i + n)..]), t);
                var c = Vector.GreaterThan(new Vector<float>(values[(i + (2 * n))..]), t);
                var d = Vector.GreaterThan(new Vector<float>(values[(i + (3 * n))..]), t);
                var lo = Vector.Narrow(Vector.AsVectorUInt32(a), Vector.AsVectorUInt32(b));
                var hi = Vector.Narrow(Vector.AsVectorUInt32(c), Vector.AsVectorUInt32(d));
                Vector.Narrow(lo, hi).CopyTo(data[i..]);
            }
        }

        for (; i < data.Length; i++)
        {
            data[i] = values[i] > threshold ? Mask.On : (byte)0;
        }

        return mask;
    }

    /// <summary>A binary mask of the bytes strictly greater than <paramref name="threshold"/> (e.g. an alpha plane, or a resized mask with 127). The caller disposes it.</summary>
    public static Mask Threshold(Mask plane, byte threshold)
    {
        ArgumentNullException.ThrowIfNull(plane);
        var mask = new Mask(plane.Width, plane.Height, clear: false);
        var src = plane.Data;
        var dst = mask.Data;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var t = new Vector<byte>(threshold);
            for (; i <= src.Length - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                Vector.GreaterThan(new Vector<byte>(src[i..]), t).CopyTo(dst[i..]);
            }
        }

        for (; i < src.Length; i++)
        {
            dst[i] = src[i] > threshold ? Mask.On : (byte)0;
        }

        return mask;
    }

    /// <summary>The number of foreground pixels.</summary>
    public static long Area(Mask mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var data = mask.Data;
        return data.Length - data.Count((byte)0);
    }

    /// <summary>The bounding box of the foreground, or <see langword="null"/> for an empty mask.</summary>
    public static MaskBox? BoundingBox(Mask mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        int top = -1, bottom = -1, left = int.MaxValue, right = -1;
        for (var y = 0; y < mask.Height; y++)
        {
            var row = mask.Row(y);
            var first = row.IndexOfAnyExcept((byte)0);
            if (first < 0)
            {
                continue;
            }

            if (top < 0)
            {
                top = y;
            }

            bottom = y;
            left = Math.Min(left, first);
            right = Math.Max(right, row.LastIndexOfAnyExcept((byte)0));
        }

        return top < 0 ? null : new MaskBox(left, top, right - left + 1, bottom - top + 1);
    }

    /// <summary>
    /// Dilation with a square k×k kernel of ones, one iteration, equal to OpenCV's
    /// <c>cv2.dilate(mask, np.ones((k, k)))</c>: default anchor (k/2, k/2) (integer division, so for even k the
    /// window is [x − k/2, x + k/2 − 1]) and a border that never adds foreground. Separable: a horizontal then a
    /// vertical running count, O(1) per pixel whatever k. The caller disposes the result.
    /// </summary>
    public static Mask Dilate(Mask mask, int kernelSize)
    {
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        int w = mask.Width, h = mask.Height, anchor = kernelSize / 2;
        int before = anchor, after = kernelSize - 1 - anchor; // window [x - before, x + after]
        var horizontal = ImageBufferPool.Bytes.Rent(w * h);
        var counts = ArrayPool<int>.Shared.Rent(w);
        var result = new Mask(w, h, clear: false);
        try
        {
            var src = mask.Data;
            for (var y = 0; y < h; y++)
            {
                var row = src.Slice(y * w, w);
                var dst = horizontal.AsSpan(y * w, w);
                var count = 0;
                for (var x = 0; x < Math.Min(after, w); x++)
                {
                    count += row[x] != 0 ? 1 : 0;
                }

                for (var x = 0; x < w; x++)
                {
                    var enter = x + after;
                    if (enter < w && row[enter] != 0)
                    {
                        count++;
                    }

                    var leave = x - before - 1;
                    if (leave >= 0 && row[leave] != 0)
                    {
                        count--;
                    }

                    dst[x] = count > 0 ? (byte)1 : (byte)0;
                }
            }

            var column = counts.AsSpan(0, w);
            column.Clear();
            for (var y = 0; y < Math.Min(after, h); y++)
            {
                AddRow(column, horizontal.AsSpan(y * w, w), 1);
            }

            var output = result.Data;
            for (var y = 0; y < h; y++)
            {
                var enter = y + after;
                if (enter < h)
                {
                    AddRow(column, horizontal.AsSpan(enter * w, w), 1);
                }

                var leave = y - before - 1;
                if (leave >= 0)
                {
                    AddRow(column, horizontal.AsSpan(leave * w, w), -1);
                }

                var dst = output.Slice(y * w, w);
                for (var x = 0; x < w; x++)
                {
                    dst[x] = column[x] > 0 ? Mask.On : (byte)0;
                }
            }

            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
        finally
        {
            ImageBufferPool.Bytes.Return(horizontal);
            ArrayPool<int>.Shared.Return(counts);
        }
    }

    private static void AddRow(Span<int> counts, ReadOnlySpan<byte> row, int sign)
    {
        for (var x = 0; x < counts.Length; x++)
        {
            counts[x] += row[x] * sign;
        }
    }

    /// <summary>
    /// Composite: where <paramref name="mask"/> is set the pixel comes from <paramref name="foreground"/>, elsewhere
    /// from <paramref name="background"/>. All three must have the same size. The caller disposes the result.
    /// </summary>
    public static RgbImage Composite(RgbImage background, RgbImage foreground, Mask mask)
    {
        ArgumentNullException.ThrowIfNull(background);
        ArgumentNullException.ThrowIfNull(foreground);
        ArgumentNullException.ThrowIfNull(mask);
        if (background.Width != foreground.Width || background.Height != foreground.Height
            || mask.Width != background.Width || mask.Height != background.Height)
        {
            throw new ArgumentException("Composite needs images and mask of the same size.", nameof(mask));
        }

        var result = new RgbImage(background.Width, background.Height);
        var a = background.Pixels;
        var b = foreground.Pixels;
        var m = mask.Data;
        var dst = result.Pixels;
        a.CopyTo(dst);
        for (var i = 0; i < m.Length; i++)
        {
            if (m[i] != 0)
            {
                var p = i * 3;
                dst[p] = b[p];
                dst[p + 1] = b[p + 1];
                dst[p + 2] = b[p + 2];
            }
        }

        return result;
    }
}
