namespace Atelier.Grains.Diagnostics;

/// <summary>Explicit histogram bucket boundaries shared by every Atelier meter (upper bounds, in the instrument's unit).</summary>
public static class MetricBuckets
{
    /// <summary>Latencies from 0.5 ms to 30 s: clicks (ms), encodes and loads (s).</summary>
    public static IReadOnlyList<double> Seconds { get; } =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
}
