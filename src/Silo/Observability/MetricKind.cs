namespace Atelier.Silo.Observability;

/// <summary>How the collector aggregates an instrument, and the Prometheus type it is exposed as.</summary>
internal enum MetricKind
{
    /// <summary>Synchronous monotonic counter: measurements are added; exposed as <c>counter</c>.</summary>
    Counter,

    /// <summary>Synchronous up-down counter: measurements are added; exposed as <c>gauge</c>.</summary>
    UpDownCounter,

    /// <summary>Observable counter: each observation is the running total; exposed as <c>counter</c>.</summary>
    ObservableCounter,

    /// <summary>Observable up-down counter or gauge, or a synchronous gauge: the last value; exposed as <c>gauge</c>.</summary>
    Gauge,

    /// <summary>Histogram with explicit buckets; exposed as <c>histogram</c>.</summary>
    Histogram,
}
