using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.Options;

namespace Atelier.Silo.Observability;

/// <summary>
/// Aggregates the measurements of every <c>Atelier.*</c> meter created by this host's <see cref="IMeterFactory"/>
/// (so silos and tests in one process never mix) and of Orleans' own meter (<c>Microsoft.Orleans</c>: grain calls,
/// messaging, membership, catalog) through a <see cref="MeterListener"/>, and renders them as
/// Prometheus text. Observable instruments are read at each scrape; scrapes are serialized.
/// </summary>
internal sealed class PrometheusCollector : IDisposable
{
    /// <summary>Prefix of the meters collected.</summary>
    public const string MeterPrefix = "Atelier.";

    /// <summary>Orleans' meter (its instruments are named <c>orleans-*</c>).</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    private readonly ConcurrentDictionary<Instrument, InstrumentState> _states = new();
    private readonly MeterListener _listener;
    private readonly Lock _scrapeLock = new();

    public PrometheusCollector(IMeterFactory meterFactory, IOptions<ObservabilityOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var maxSeries = options.Value.MaxSeriesPerInstrument;
        var orleans = options.Value.OrleansMetrics;
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if ((ReferenceEquals(instrument.Meter.Scope, meterFactory) && instrument.Meter.Name.StartsWith(MeterPrefix, StringComparison.Ordinal)
                        || (orleans && instrument.Meter.Name == OrleansMeter))
                    && InstrumentState.Create(instrument, maxSeries) is { } state)
                {
                    _states[instrument] = state;
                    listener.EnableMeasurementEvents(instrument, state);
                }
            },
            MeasurementsCompleted = (instrument, _) => _states.TryRemove(instrument, out InstrumentState? _),
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>Reads the observable instruments and writes every family, sorted by name.</summary>
    public string Scrape()
    {
        lock (_scrapeLock)
        {
            foreach (var state in _states.Values)
            {
                if (state.IsObservable)
                {
                    state.Reset();
                }
            }

            _listener.RecordObservableInstruments();
            var states = _states.Values.ToArray();
            Array.Sort(states, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            var output = new StringBuilder(16 * 1024);
            string? previous = null;
            long dropped = 0;
            foreach (var state in states)
            {
                dropped += state.Dropped;
                if (state.Name == previous)
                {
                    continue; // two instruments with one Prometheus name: the first wins (names are unique by design)
                }

                previous = state.Name;
                PrometheusTextWriter.WriteFamily(output, state, state.Snapshot());
            }

            output.Append("# HELP atelier_metrics_dropped_measurements_total Measurements ignored because their instrument reached Observability:MaxSeriesPerInstrument label sets.\n")
                .Append("# TYPE atelier_metrics_dropped_measurements_total counter\n")
                .Append("atelier_metrics_dropped_measurements_total ").Append(PrometheusTextWriter.Number(dropped)).Append('\n');
            return output.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();
}
