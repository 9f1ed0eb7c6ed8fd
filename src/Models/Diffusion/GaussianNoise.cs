namespace Atelier.Models.Diffusion;

/// <summary>
/// Seeded standard-normal numbers, identical on every platform and .NET version: SplitMix64 for uniform bits,
/// Box–Muller for the normal pairs. The same seed always gives the same sequence (and so the same pixels).
/// </summary>
public sealed class GaussianNoise(long seed)
{
    private ulong _state = unchecked((ulong)seed);
    private double _spare;
    private bool _hasSpare;

    public double Next()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }

        var u1 = Uniform();
        var u2 = Uniform();
        var radius = Math.Sqrt(-2 * Math.Log(u1));
        var angle = 2 * Math.PI * u2;
        _spare = radius * Math.Sin(angle);
        _hasSpare = true;
        return radius * Math.Cos(angle);
    }

    public void Fill(Span<float> values, double scale = 1)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(Next() * scale);
        }
    }

    /// <summary>Uniform in (0, 1]: never 0, so the logarithm is finite.</summary>
    private double Uniform()
    {
        _state += 0x9E3779B97F4A7C15UL;
        var z = _state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return ((z >> 11) + 1) * (1.0 / (1UL << 53));
    }
}
