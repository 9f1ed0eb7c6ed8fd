using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Atelier.Imaging;

/// <summary>
/// Source indices and weights of one axis of PyTorch's <c>F.interpolate(mode="bilinear",
/// align_corners=False)</c> (no antialias), in float32 like the CPU kernel:
/// <c>scale = in / out</c>, <c>src = max(0, scale·(dst + 0.5) − 0.5)</c>, <c>i0 = min((int)src, in − 1)</c>,
/// <c>i1 = i0 + (i0 &lt; in − 1 ? 1 : 0)</c>, <c>λ1 = src − i0</c>, <c>λ0 = 1 − λ1</c>.
/// </summary>
internal readonly struct LinearAxis : IDisposable
{
    private readonly int[] _index;
    private readonly float[] _lambda;

    public LinearAxis(int inSize, int outSize)
    {
        InSize = inSize;
        Count = outSize;
        _index = ArrayPool<int>.Shared.Rent(outSize * 2);
        _lambda = ArrayPool<float>.Shared.Rent(outSize * 2);
        var scale = (float)inSize / outSize;
        for (var i = 0; i < outSize; i++)
        {
            var src = (scale * (i + 0.5f)) - 0.5f;
            if (src < 0f)
            {
                src = 0f;
            }

            var i0 = Math.Min((int)src, inSize - 1);
            var l1 = Math.Clamp(src - i0, 0f, 1f);
            _index[i * 2] = i0;
            _index[(i * 2) + 1] = i0 + (i0 < inSize - 1 ? 1 : 0);
            _lambda[i * 2] = 1f - l1;
            _lambda[(i * 2) + 1] = l1;
        }
    }

    public int Count { get; }

    /// <summary>Length of the input axis: every index is below it.</summary>
    public int InSize { get; }

    public int Index0(int i) => _index[i * 2];

    public int Index1(int i) => _index[(i * 2) + 1];

    public float Lambda0(int i) => _lambda[i * 2];

    public float Lambda1(int i) => _lambda[(i * 2) + 1];

    /// <summary><c>output[i] = input[i0]·λ0 + input[i1]·λ1</c> for every output index.</summary>
    public void Apply(ReadOnlySpan<float> input, Span<float> output)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(output.Length, Count);
        Apply(input, output, 0, Count);
    }

    /// <summary>Outputs <paramref name="start"/> to <paramref name="end"/> (exclusive) of <see cref="Apply(ReadOnlySpan{float}, Span{float})"/>.</summary>
    public void Apply(ReadOnlySpan<float> input, Span<float> output, int start, int end)
    {
        // Indices were clamped to [0, inSize) when the axis was built: read without bounds checks (this is the
        // per-row gather of every mask upscale).
        ArgumentOutOfRangeException.ThrowIfLessThan(input.Length, InSize);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(end, Math.Min(Count, output.Length));
        ref var index = ref MemoryMarshal.GetArrayDataReference(_index);
        ref var lambda = ref MemoryMarshal.GetArrayDataReference(_lambda);
        ref var source = ref MemoryMarshal.GetReference(input);
        ref var target = ref MemoryMarshal.GetReference(output);
        for (var i = start; i < end; i++)
        {
            var j = i * 2;
            Unsafe.Add(ref target, i) =
                (Unsafe.Add(ref source, Unsafe.Add(ref index, j)) * Unsafe.Add(ref lambda, j))
                + (Unsafe.Add(ref source, Unsafe.Add(ref index, j + 1)) * Unsafe.Add(ref lambda, j + 1));
        }
    }

    public void Dispose()
    {
        ArrayPool<int>.Shared.Return(_index);
        ArrayPool<float>.Shared.Return(_lambda);
    }
}
