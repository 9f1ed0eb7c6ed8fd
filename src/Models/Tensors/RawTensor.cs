using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Models.Tensors;

/// <summary>
/// A named tensor as the protocols carry it: element type, shape, and the elements row-major in little-endian bytes
/// (<see cref="Data"/> holds exactly product(shape) × element size bytes).
/// </summary>
public sealed record RawTensor(string Name, TensorElementType ElementType, long[] Shape, ReadOnlyMemory<byte> Data)
{
    /// <summary>Number of elements: the product of <paramref name="shape"/>; -1 when a dimension is negative or the product overflows <paramref name="limit"/>.</summary>
    public static long ElementCount(ReadOnlySpan<long> shape, long limit = long.MaxValue)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                return -1;
            }

            if (dim != 0 && count > limit / dim)
            {
                return -1;
            }

            count *= dim;
        }

        return count;
    }
}
