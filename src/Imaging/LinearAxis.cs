using System.Buffers;

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

    public int Index0(int i) => _index[i * 2];

    public int Index1(int i) => _index[(i * 2) + 1];

    public float Lambda0(int i) => _lambda[i * 2];

    public float Lambda1(int i) => _lambda[(i * 2) + 1];

    /// <summary><c>output[i] = input[i0]·λ0 + input[i1]·λ1</c> for every output index.</summary>
    public void Apply(ReadOnlySpan<float> input, Span<float> output)
    {
        var index = _index.AsSpan(0, Count * 2);
        var lambda = _lambda.AsSpan(0, Count * 2);
        for (var i = 0; i < Count; i++)
        {
            output[i] = (input[index[i * 2]] * lambda[i * 2]) + (input[index[(i * 2) + 1]] * lambda[(i * 2) + 1]);
        }
    }

    public void Dispose()
    {
        ArrayPool<int>.Shared.Return(_index);
        ArrayPool<float>.Shared.Return(_lambda);
    }
}
