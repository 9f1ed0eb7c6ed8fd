using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Atelier.Runtime.Diagnostics;

/// <summary>
/// The runtime's instruments (meter <c>Atelier.Runtime</c>): grain calls by type and method, their duration,
/// mailbox wait and length, activations, and calls that left this silo (forwarded to the owner) or were
/// re-routed. Created per silo from the host's <see cref="IMeterFactory"/>, so in-process silos and tests
/// never see each other's measurements. Names follow OpenTelemetry; Prometheus names are derived by the
/// exposition (<c>atelier.grain.calls</c> → <c>atelier_grain_calls_total</c>).
/// </summary>
internal sealed class RuntimeMetrics
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "Atelier.Runtime";

    private readonly Counter<long> _calls;
    private readonly Histogram<double> _callDuration;
    private readonly Histogram<double> _mailboxWait;
    private readonly Counter<long> _forwarded;
    private readonly Counter<long> _reroutes;

    public RuntimeMetrics(IMeterFactory meterFactory, SiloRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _calls = meter.CreateCounter<long>("atelier.grain.calls", "{call}", "Grain calls executed on this silo, by grain type, method and outcome (ok, error).");
        _callDuration = meter.CreateHistogram("atelier.grain.call.duration", "s",
            "Time a grain call spent executing in its activation (its turn), by grain type and method.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricBuckets.Seconds });
        _mailboxWait = meter.CreateHistogram("atelier.grain.mailbox.wait", "s",
            "Time a grain call waited in its activation's mailbox before its turn, by grain type.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricBuckets.Seconds });
        _forwarded = meter.CreateCounter<long>("atelier.grain.forwarded_calls", "{call}",
            "Calls this silo sent to the silo that owns the grain (one network hop each), by grain type.");
        _reroutes = meter.CreateCounter<long>("atelier.grain.reroutes", "{call}",
            "Calls routed again because their target had moved, deactivated or died, by reason.");
        meter.CreateObservableGauge("atelier.grain.mailbox.length", () => runtime.ObserveQueues(), "{call}",
            "Calls waiting in mailboxes now, by grain type.");
        meter.CreateObservableGauge("atelier.grain.activations", () => runtime.ObserveActivations(), "{activation}",
            "Live activations on this silo, by grain type.");
    }

    public void CallCompleted(CallWorkItem call, long startedTimestamp, bool ok)
    {
        var type = new KeyValuePair<string, object?>("grain_type", call.Interface.ShortName);
        var method = new KeyValuePair<string, object?>("method", call.Method.Method.Name);
        if (_callDuration.Enabled)
        {
            _callDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, type, method);
        }

        _calls.Add(1, type, method, new KeyValuePair<string, object?>("outcome", ok ? "ok" : "error"));
    }

    public void MailboxWaited(CallWorkItem call)
    {
        if (_mailboxWait.Enabled && call.EnqueuedTimestamp != 0)
        {
            _mailboxWait.Record(Stopwatch.GetElapsedTime(call.EnqueuedTimestamp).TotalSeconds,
                new KeyValuePair<string, object?>("grain_type", call.Interface.ShortName));
        }
    }

    public void Forwarded(CallWorkItem call) =>
        _forwarded.Add(1, new KeyValuePair<string, object?>("grain_type", call.Interface.ShortName));

    public void Rerouted(string reason) => _reroutes.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
