using System.Diagnostics.Metrics;

namespace Atelier.Silo.Observability;

/// <summary>
/// The aggregates of one instrument: a series per label set, found without allocating (an order-independent hash,
/// then a label-by-label comparison); only a new label set allocates. One lock per instrument.
/// </summary>
internal sealed class InstrumentState
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, List<MetricSeries>> _byHash = [];
    private readonly List<MetricSeries> _series = [];
    private readonly int _maxSeries;
    private long _dropped;

    public InstrumentState(Instrument instrument, MetricKind kind, double[] bounds, int maxSeries)
    {
        Instrument = instrument;
        Kind = kind;
        Bounds = bounds;
        _maxSeries = maxSeries;
        Name = PrometheusNames.MetricName(instrument.Name, instrument.Unit, kind);
    }

    public Instrument Instrument { get; }

    public MetricKind Kind { get; }

    /// <summary>The Prometheus family name, e.g. <c>atelier_model_load_duration_seconds</c>.</summary>
    public string Name { get; }

    /// <summary>Histogram bucket upper bounds, ascending (empty for other kinds).</summary>
    public double[] Bounds { get; }

    public bool IsObservable => Instrument.IsObservable;

    /// <summary>Measurements ignored because <see cref="ObservabilityOptions.MaxSeriesPerInstrument"/> was reached.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public static InstrumentState? Create(Instrument instrument, int maxSeries)
    {
        var type = instrument.GetType();
        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        MetricKind kind;
        var bounds = Array.Empty<double>();
        if (definition == typeof(Counter<>))
        {
            kind = MetricKind.Counter;
        }
        else if (definition == typeof(UpDownCounter<>))
        {
            kind = MetricKind.UpDownCounter;
        }
        else if (definition == typeof(ObservableCounter<>))
        {
            kind = MetricKind.ObservableCounter;
        }
        else if (definition == typeof(ObservableUpDownCounter<>) || definition == typeof(ObservableGauge<>) || definition == typeof(Gauge<>))
        {
            kind = MetricKind.Gauge;
        }
        else if (definition == typeof(Histogram<>))
        {
            kind = MetricKind.Histogram;
            bounds = HistogramBounds(instrument);
        }
        else
        {
            return null;
        }

        return new InstrumentState(instrument, kind, bounds, maxSeries);
    }

    /// <summary>Folds one measurement into its series.</summary>
    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var hash = MetricSeries.HashOf(tags);
        lock (_lock)
        {
            var series = Find(tags, hash);
            if (series is null)
            {
                if (_series.Count >= _maxSeries)
                {
                    _dropped++;
                    return;
                }

                series = new MetricSeries(tags.ToArray(), hash, Kind == MetricKind.Histogram ? Bounds.Length + 1 : 0);
                _series.Add(series);
                if (!_byHash.TryGetValue(hash, out var list))
                {
                    _byHash[hash] = list = new List<MetricSeries>(1);
                }

                list.Add(series);
            }

            switch (Kind)
            {
                case MetricKind.Counter:
                case MetricKind.UpDownCounter:
                    series.Value += value;
                    break;
                case MetricKind.ObservableCounter:
                case MetricKind.Gauge:
                    series.Value = value;
                    break;
                case MetricKind.Histogram:
                    series.Value += value;
                    series.Count++;
                    series.BucketCounts[BucketOf(value)]++;
                    break;
            }
        }
    }

    /// <summary>Observable instruments report every series at each collection: forget the previous ones first.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _series.Clear();
            _byHash.Clear();
        }
    }

    /// <summary>A consistent copy of the series, for writing outside the lock.</summary>
    public MetricSeriesSnapshot[] Snapshot()
    {
        lock (_lock)
        {
            var result = new MetricSeriesSnapshot[_series.Count];
            for (var i = 0; i < result.Length; i++)
            {
                var series = _series[i];
                result[i] = new MetricSeriesSnapshot(series.Tags, series.Value, series.Count, series.BucketCounts.Length == 0 ? [] : (long[])series.BucketCounts.Clone());
            }

            return result;
        }
    }

    private MetricSeries? Find(ReadOnlySpan<KeyValuePair<string, object?>> tags, int hash)
    {
        if (_byHash.TryGetValue(hash, out var candidates))
        {
            foreach (var candidate in candidates)
            {
                if (candidate.Matches(tags))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Index of the first bucket whose upper bound is at least <paramref name="value"/> (Prometheus <c>le</c>).</summary>
    private int BucketOf(double value)
    {
        var index = Array.BinarySearch(Bounds, value);
        return index >= 0 ? index : ~index;
    }

    private static double[] HistogramBounds(Instrument instrument)
    {
        IReadOnlyList<double>? advised = instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries,
            Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(static b => (double)b).ToArray(),
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(static b => (double)b).ToArray(),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(static b => (double)b).ToArray(),
            _ => null,
        };
        var bounds = (advised ?? Grains.Diagnostics.MetricBuckets.Seconds).Where(static b => double.IsFinite(b)).Distinct().ToArray();
        Array.Sort(bounds);
        return bounds;
    }
}

/// <summary>A copy of one series taken under its instrument's lock.</summary>
internal readonly record struct MetricSeriesSnapshot(KeyValuePair<string, object?>[] Tags, double Value, long Count, long[] BucketCounts);
