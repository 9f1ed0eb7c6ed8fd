namespace Atelier.Imaging;

/// <summary>
/// Bilinear resizing of single-channel float maps with PyTorch's <c>F.interpolate(mode="bilinear",
/// align_corners=False)</c> semantics (no antialias), for model outputs such as ISNet's 1024×1024 saliency
/// map or mask logits. Separable, row-cached, float32; see <see cref="LinearAxis"/> for the index formula.
/// </summary>
public static class FloatResize
{
    /// <summary>Resizes <paramref name="source"/> (<paramref name="sourceWidth"/>×<paramref name="sourceHeight"/>, row-major) into <paramref name="destination"/> (<paramref name="width"/>×<paramref name="height"/>).</summary>
    public static void Bilinear(ReadOnlySpan<float> source, int sourceWidth, int sourceHeight, Span<float> destination, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sourceWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sourceHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfLessThan(source.Length, sourceWidth * sourceHeight);
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, width * height);
        using var horizontal = new LinearAxis(sourceWidth, width);
        using var vertical = new LinearAxis(sourceHeight, height);
        var rowA = System.Buffers.ArrayPool<float>.Shared.Rent(width);
        var rowB = System.Buffers.ArrayPool<float>.Shared.Rent(width);
        try
        {
            int indexA = -1, indexB = -1;
            for (var y = 0; y < height; y++)
            {
                int r0 = vertical.Index0(y), r1 = vertical.Index1(y);
                if (indexA != r0)
                {
                    if (indexB == r0)
                    {
                        (rowA, rowB, indexA, indexB) = (rowB, rowA, indexB, indexA);
                    }
                    else
                    {
                        horizontal.Apply(source.Slice(r0 * sourceWidth, sourceWidth), rowA);
                        indexA = r0;
                    }
                }

                if (indexB != r1)
                {
                    horizontal.Apply(source.Slice(r1 * sourceWidth, sourceWidth), rowB);
                    indexB = r1;
                }

                float l0 = vertical.Lambda0(y), l1 = vertical.Lambda1(y);
                var dst = destination.Slice(y * width, width);
                for (var x = 0; x < width; x++)
                {
                    dst[x] = (rowA[x] * l0) + (rowB[x] * l1);
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(rowA);
            System.Buffers.ArrayPool<float>.Shared.Return(rowB);
        }
    }
}
