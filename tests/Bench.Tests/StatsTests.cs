using Atelier.Bench.Infrastructure;

namespace Atelier.Bench.Tests;

public sealed class StatsTests
{
    [Fact]
    public void Of_one_to_hundred_gives_nearest_rank_percentiles()
    {
        var sample = Enumerable.Range(1, 100).Select(i => (double)(101 - i)).ToArray(); // unsorted on purpose

        var stats = Stats.Of(sample);

        Assert.Equal((100, 50.5, 90.0, 99.0, 1.0, 100.0), (stats.Count, stats.Median, stats.P90, stats.P99, stats.Min, stats.Max));
        Assert.Equal(100.0, sample[0]); // the caller's sample is left as it was
    }

    [Fact]
    public void Of_a_single_sample_is_that_sample_everywhere()
    {
        var stats = Stats.Of([7.5]);

        Assert.Equal((7.5, 7.5, 7.5), (stats.Median, stats.P90, stats.P99));
    }

    [Fact]
    public void Of_an_empty_sample_refuses()
    {
        Assert.Throws<ArgumentException>(() => Stats.Of([]));
    }

    [Fact]
    public void PairedMedian_is_the_median_of_the_differences_not_the_difference_of_the_medians()
    {
        double[] served = [10, 30, 12, 50, 14];
        double[] raw = [9, 28, 10, 40, 11];

        Assert.Equal(2.0, Stats.PairedMedian(served, raw)); // differences 1, 2, 2, 10, 3
        Assert.Equal(3.0, Stats.Of(served).Median - Stats.Of(raw).Median);
    }

    [Fact]
    public void PairedMedian_refuses_samples_of_different_lengths()
    {
        Assert.Throws<ArgumentException>(() => Stats.PairedMedian([1.0, 2.0], [1.0]));
    }
}
