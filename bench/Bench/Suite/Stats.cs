namespace Atelier.Bench.Suite;

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

    private static double Rank(double[] sorted, double quantile) =>
        sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
}
