using System.Diagnostics.Metrics;
using Atelier.Silo.Observability;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Atelier.Silo.Tests.Observability;

/// <summary>The collector and the exposition writer with real meters from a real <see cref="IMeterFactory"/>.</summary>
public sealed class PrometheusCollectorTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private IMeterFactory Factory => _services.GetRequiredService<IMeterFactory>();

    public void Dispose() => _services.Dispose();

    [Fact]
    public void Label_values_with_quotes_backslashes_and_newlines_are_escaped_and_parse_back()
    {
        using var collector = NewCollector();
        var counter = Factory.Create("Atelier.Test").CreateCounter<long>("atelier.test.escapes", "{item}", "Help with a \\ backslash\nand a newline.");
        const string nasty = "a \"quoted\" C:\\path\nnext line";
        counter.Add(3, new KeyValuePair<string, object?>("value", nasty));

        var text = collector.Scrape();
        var families = PrometheusText.Parse(text);

        Assert.Contains("value=\"a \\\"quoted\\\" C:\\\\path\\nnext line\"", text, StringComparison.Ordinal);
        var family = families["atelier_test_escapes_total"];
        Assert.Equal("counter", family.Type);
        Assert.Equal("Help with a \\ backslash\nand a newline.", family.Help);
        var sample = Assert.Single(family.Samples);
        Assert.Equal(nasty, sample.Label("value"));
        Assert.Equal(3, sample.Value);
    }

    [Fact]
    public void Histogram_buckets_are_cumulative_and_their_inf_bucket_count_and_sum_agree()
    {
        using var collector = NewCollector();
        var histogram = Factory.Create("Atelier.Test").CreateHistogram("atelier.test.latency", "s", "Latency.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.1, 1] });
        double[] observations = [0.005, 0.01, 0.05, 0.5, 0.7, 3, 40];
        foreach (var value in observations)
        {
            histogram.Record(value, new KeyValuePair<string, object?>("route", "/x"));
        }

        histogram.Record(0.2, new KeyValuePair<string, object?>("route", "/y"));
        var families = PrometheusText.Parse(collector.Scrape()); // the parser checks ascending le, cumulative counts, +Inf = _count

        var x = families.Samples("atelier_test_latency_seconds", ("route", "/x")).ToList();
        Assert.Equal(new[] { "0.01", "0.1", "1", "+Inf" }, x.Where(s => s.Name.EndsWith("_bucket", StringComparison.Ordinal)).Select(s => s.Label("le")));
        // le is an inclusive upper bound: 0.01 falls in the first bucket.
        Assert.Equal(new double[] { 2, 3, 5, 7 }, x.Where(s => s.Name.EndsWith("_bucket", StringComparison.Ordinal)).Select(s => s.Value));
        Assert.Equal(observations.Length, x.Single(s => s.Name == "atelier_test_latency_seconds_count").Value);
        Assert.Equal(observations.Sum(), x.Single(s => s.Name == "atelier_test_latency_seconds_sum").Value, 9);
        Assert.Equal(1, families.Samples("atelier_test_latency_seconds", ("route", "/y")).Single(s => s.Name.EndsWith("_count", StringComparison.Ordinal)).Value);
    }

    [Fact]
    public void Kinds_map_to_prometheus_types_and_unit_suffixes()
    {
        using var collector = NewCollector();
        var meter = Factory.Create("Atelier.Test");
        var upDown = meter.CreateUpDownCounter<int>("atelier.test.inflight", "{request}", "In flight.");
        upDown.Add(5);
        upDown.Add(-2);
        var observed = 7L;
        meter.CreateObservableCounter("atelier.test.loads", () => observed, "{load}", "Loads.");
        meter.CreateObservableGauge("atelier.test.resident", () => new Measurement<long>(1024, new KeyValuePair<string, object?>("tier", "device")), "By", "Bytes.");
        var counter = meter.CreateCounter<double>("atelier.test.work", "s", "Work.");
        counter.Add(1.5, new KeyValuePair<string, object?>("a", "1"), new KeyValuePair<string, object?>("b", "2"));
        counter.Add(1.0, new KeyValuePair<string, object?>("b", "2"), new KeyValuePair<string, object?>("a", "1")); // same series, other order

        var families = PrometheusText.Parse(collector.Scrape());
        Assert.Equal("gauge", families["atelier_test_inflight"].Type);
        Assert.Equal(3, families.Value("atelier_test_inflight"));
        Assert.Equal("counter", families["atelier_test_loads_total"].Type);
        Assert.Equal(7, families.Value("atelier_test_loads_total"));
        Assert.Equal("gauge", families["atelier_test_resident_bytes"].Type);
        Assert.Equal(1024, families.Value("atelier_test_resident_bytes", ("tier", "device")));
        Assert.Equal(2.5, Assert.Single(families["atelier_test_work_seconds_total"].Samples).Value);

        observed = 9; // observable instruments are read at each scrape
        Assert.Equal(9, PrometheusText.Parse(collector.Scrape()).Value("atelier_test_loads_total"));
    }

    [Fact]
    public void Meters_of_another_factory_and_other_prefixes_are_not_collected()
    {
        using var collector = NewCollector();
        using var other = new ServiceCollection().AddMetrics().BuildServiceProvider();
        other.GetRequiredService<IMeterFactory>().Create("Atelier.Test").CreateCounter<long>("atelier.test.foreign").Add(1);
        Factory.Create("System.Other").CreateCounter<long>("other.counter").Add(1);
        Factory.Create("Atelier.Test").CreateCounter<long>("atelier.test.own").Add(1);

        var families = PrometheusText.Parse(collector.Scrape());
        Assert.Contains("atelier_test_own_total", families.Keys);
        Assert.DoesNotContain("atelier_test_foreign_total", families.Keys);
        Assert.DoesNotContain("other_counter_total", families.Keys);
    }

    [Fact]
    public void New_label_sets_beyond_the_series_limit_are_dropped_and_counted()
    {
        using var collector = NewCollector(maxSeries: 3);
        var counter = Factory.Create("Atelier.Test").CreateCounter<long>("atelier.test.ids");
        for (var i = 0; i < 5; i++)
        {
            counter.Add(1, new KeyValuePair<string, object?>("id", i));
        }

        counter.Add(1, new KeyValuePair<string, object?>("id", 0)); // an existing series still counts

        var families = PrometheusText.Parse(collector.Scrape());
        Assert.Equal(3, families["atelier_test_ids_total"].Samples.Count);
        Assert.Equal(2, families.Value("atelier_test_ids_total", ("id", "0")));
        Assert.Equal(2, families.Value("atelier_metrics_dropped_measurements_total"));
    }

    // Orleans' meter is process-wide: silos of other tests in this process would feed these collectors.
    private PrometheusCollector NewCollector(int maxSeries = 2000) =>
        new(Factory, Options.Create(new ObservabilityOptions { MaxSeriesPerInstrument = maxSeries, OrleansMetrics = false }));
}
