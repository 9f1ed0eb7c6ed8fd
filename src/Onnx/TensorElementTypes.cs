namespace Atelier.Onnx;

/// <summary>Maps CLR element types to <see cref="TensorElementType"/> and gives element sizes.</summary>
public static class TensorElementTypes
{
    /// <summary>The tensor element type of <typeparamref name="T"/>: float, Half, long, int, byte or bool.</summary>
    /// <exception cref="NotSupportedException">For any other type.</exception>
    public static TensorElementType Of<T>()
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return TensorElementType.Float;
        }

        if (typeof(T) == typeof(Half))
        {
            return TensorElementType.Float16;
        }

        if (typeof(T) == typeof(long))
        {
            return TensorElementType.Int64;
        }

        if (typeof(T) == typeof(int))
        {
            return TensorElementType.Int32;
        }

        if (typeof(T) == typeof(byte))
        {
            return TensorElementType.UInt8;
        }

        if (typeof(T) == typeof(bool))
        {
            return TensorElementType.Bool;
        }

        throw new NotSupportedException($"Tensors of {typeof(T).Name} are not supported; use float, Half, long, int, byte or bool.");
    }

    /// <summary>Bytes per element, or 0 for types without a fixed size (string, undefined).</summary>
    public static int SizeOf(TensorElementType type) => type switch
    {
        TensorElementType.Float or TensorElementType.Int32 or TensorElementType.UInt32 => 4,
        TensorElementType.UInt8 or TensorElementType.Int8 or TensorElementType.Bool => 1,
        TensorElementType.UInt16 or TensorElementType.Int16 or TensorElementType.Float16 or TensorElementType.BFloat16 => 2,
        TensorElementType.Int64 or TensorElementType.UInt64 or TensorElementType.Double or TensorElementType.Complex64 => 8,
        TensorElementType.Complex128 => 16,
        _ => 0,
    };

    /// <summary>Number of elements of a shape (1 for a scalar); dimensions must be non-negative.</summary>
    public static long ElementCount(ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(dim, nameof(shape));
            count = checked(count * dim);
        }

        return count;
    }
}
