namespace Atelier.Bench.Infrastructure;

/// <summary>Order statistics of a latency sample (milliseconds unless said otherwise).</summary>
internal readonly record struct Stats(int Count, double Median, double P90, double P99, double Min, double Max)
{
    /// <summary>Computes the statistics of <paramref name="sample"/> (not modified); p90/p99 are nearest-rank.</summary>
    public static Stats Of(IReadOnlyCollection<double> sample)
    {
        if (sample.Count == 0)
        {
            throw new ArgumentException("An empty sample has no statistics.", nameof(sample));
        }

        var sorted = sample.ToArray();
        Array.Sort(sorted);
        return new Stats(sorted.Length, BenchContext.Median([.. sorted]), Rank(sorted, 0.90), Rank(sorted, 0.99), sorted[0], sorted[^1]);
    }

    /// <summary>The median of the element-wise differences <c>a[i] − b[i]</c> (samples taken in the same iterations).</summary>
    public static double PairedMedian(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count || a.Count == 0)
        {
            throw new ArgumentException("Paired samples must be non-empty and of the same length.", nameof(b));
        }

        var differences = new double[a.Count];
        for (var i = 0; i < differences.Length; i++)
        {
            differences[i] = a[i] - b[i];
        }

        return BenchContext.Median(differences);
    }

    private static double Rank(double[] sorted, double quantile) =>
        sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
}
