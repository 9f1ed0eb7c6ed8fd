using System.Buffers;
using System.Numerics;

namespace Atelier.Imaging;

/// <summary>
/// The rows at which each column of a mask flips between background and foreground, gathered by scanning
/// rows (cache-friendly, vectorized) and then grouped by column with a counting sort. Used by
/// <see cref="RleCodec"/> to produce column-major runs from a row-major mask.
/// </summary>
internal sealed class ColumnTransitions(int width) : IDisposable
{
    private int[] _xs = ArrayPool<int>.Shared.Rent(256);
    private int[] _ys = ArrayPool<int>.Shared.Rent(256);
    private int _count;
    private int[]? _offsets;
    private int[]? _sorted;

    /// <summary>Records every x where <paramref name="above"/> and <paramref name="row"/> differ in being non-zero.</summary>
    public void AddRowDifferences(ReadOnlySpan<byte> above, ReadOnlySpan<byte> row, int y)
    {
        var x = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var lanes = Vector<byte>.Count;
            for (; x <= row.Length - lanes; x += lanes)
            {
                var a = Vector.Equals(new Vector<byte>(above[x..]), Vector<byte>.Zero);
                var b = Vector.Equals(new Vector<byte>(row[x..]), Vector<byte>.Zero);
                if (a != b)
                {
                    for (var i = x; i < x + lanes; i++)
                    {
                        if ((above[i] == 0) != (row[i] == 0))
                        {
                            Add(i, y);
                        }
                    }
                }
            }
        }

        for (; x < row.Length; x++)
        {
            if ((above[x] == 0) != (row[x] == 0))
            {
                Add(x, y);
            }
        }
    }

    /// <summary>Groups the recorded flips by column (rows stay ascending: they were added in row order).</summary>
    public void Seal()
    {
        var offsets = new int[width + 1];
        for (var i = 0; i < _count; i++)
        {
            offsets[_xs[i] + 1]++;
        }

        for (var x = 0; x < width; x++)
        {
            offsets[x + 1] += offsets[x];
        }

        var sorted = ArrayPool<int>.Shared.Rent(Math.Max(_count, 1));
        var next = (int[])offsets.Clone();
        for (var i = 0; i < _count; i++)
        {
            sorted[next[_xs[i]]++] = _ys[i];
        }

        _offsets = offsets;
        _sorted = sorted;
    }

    /// <summary>The rows (ascending) where column <paramref name="x"/> flips; valid after <see cref="Seal"/>.</summary>
    public ReadOnlySpan<int> Of(int x) => _sorted.AsSpan(_offsets![x], _offsets[x + 1] - _offsets[x]);

    public void Dispose()
    {
        ArrayPool<int>.Shared.Return(_xs);
        ArrayPool<int>.Shared.Return(_ys);
        if (_sorted is not null)
        {
            ArrayPool<int>.Shared.Return(_sorted);
        }
    }

    private void Add(int x, int y)
    {
        if (_count == _xs.Length)
        {
            Grow(ref _xs);
            Grow(ref _ys);
        }

        _xs[_count] = x;
        _ys[_count] = y;
        _count++;
    }

    private static void Grow(ref int[] array)
    {
        var bigger = ArrayPool<int>.Shared.Rent(array.Length * 2);
        array.CopyTo(bigger, 0);
        ArrayPool<int>.Shared.Return(array);
        array = bigger;
    }
}
