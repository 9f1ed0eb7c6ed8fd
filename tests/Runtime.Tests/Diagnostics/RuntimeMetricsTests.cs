using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Atelier.Runtime.Diagnostics;
using Atelier.Runtime.Testing;
using Atelier.Runtime.Tests.Grains;
using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Runtime.Tests.Diagnostics;

/// <summary>The runtime's instruments and trace propagation, observed with a real <see cref="MeterListener"/> and <see cref="ActivityListener"/>.</summary>
public sealed class RuntimeMetricsTests
{
    [Fact]
    public async Task Grain_calls_are_counted_by_type_method_and_outcome_with_duration_and_mailbox_wait()
    {
        await using var cluster = await Clusters.StartAsync(1, new Probe());
        var silo = cluster.Silos[0];
        using var measurements = new Measurements(silo);
        var grain = silo.GrainFactory.GetGrain<ICounterGrain>("c-1");
        for (var i = 0; i < 3; i++)
        {
            await grain.Increment().WithTimeout();
        }

        await Assert.ThrowsAsync<InvalidOperationException>(() => grain.Fail("boom").WithTimeout());

        Assert.Equal(3, measurements.Sum("atelier.grain.calls", ("grain_type", "ICounterGrain"), ("method", "Increment"), ("outcome", "ok")));
        Assert.Equal(1, measurements.Sum("atelier.grain.calls", ("grain_type", "ICounterGrain"), ("method", "Fail"), ("outcome", "error")));
        Assert.Equal(0, measurements.Sum("atelier.grain.calls", ("method", "Fail"), ("outcome", "ok")));
        Assert.Equal(3, measurements.Count("atelier.grain.call.duration", ("grain_type", "ICounterGrain"), ("method", "Increment")));
        Assert.All(measurements.Values("atelier.grain.call.duration"), v => Assert.True(v >= 0));
        Assert.Equal(4, measurements.Count("atelier.grain.mailbox.wait", ("grain_type", "ICounterGrain")));

        measurements.Observe();
        Assert.Equal(1, measurements.Sum("atelier.grain.activations", ("grain_type", "ICounterGrain")));
        Assert.Equal(0, measurements.Sum("atelier.grain.mailbox.length", ("grain_type", "ICounterGrain")));
    }

    [Fact]
    public async Task A_call_to_a_grain_that_moved_counts_forwarded_calls_and_a_reroute_on_the_caller()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(3, probe);
        var (a, b, c) = (cluster.Silos[0], cluster.Silos[1], cluster.Silos[2]);
        await a.GrainFactory.GetGrain<IMigratingGrain>("m-1").Add("x").WithTimeout(); // prefer-local: lives on a
        using var onC = new Measurements(c);
        var fromC = c.GrainFactory.GetGrain<IMigratingGrain>("m-1");
        Assert.Equal(a.Address.ToString(), await fromC.Silo().WithTimeout()); // c now caches a

        await a.Runtime.MigrateAsync(fromC.GetGrainId(), b.Address, CancellationToken.None).WithTimeout();
        Assert.Equal(b.Address.ToString(), await fromC.Silo().WithTimeout()); // a answers "not here", c re-routes to b

        Assert.Equal(3, onC.Sum("atelier.grain.forwarded_calls", ("grain_type", "IMigratingGrain"))); // a, then a (moved) and b
        Assert.Equal(1, onC.Sum("atelier.grain.reroutes", ("reason", "moved")));
        Assert.Equal(0, onC.Sum("atelier.grain.calls")); // nothing executed on c
    }

    [Fact]
    public async Task The_callers_activity_is_the_parent_of_the_callee_span_on_another_silo()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is RuntimeTelemetry.SourceName or "test",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var cluster = await Clusters.StartAsync(2, new Probe());
        var (a, b) = (cluster.Silos[0], cluster.Silos[1]);
        await b.GrainFactory.GetGrain<IMigratingGrain>("t-1").Add("x").WithTimeout(); // lives on b

        using var source = new ActivitySource("test");
        ActivityTraceId traceId;
        ActivitySpanId rootId;
        using (var root = source.StartActivity("caller"))
        {
            (traceId, rootId) = (root!.TraceId, root.SpanId);
            await a.GrainFactory.GetGrain<IMigratingGrain>("t-1").Add("y").WithTimeout(); // from a, across the in-process transport
        }

        var callee = Assert.Single(spans, s => s.TraceId == traceId && s.Source.Name == RuntimeTelemetry.SourceName);
        Assert.Equal(rootId, callee.ParentSpanId);
        Assert.True(callee.HasRemoteParent);
        Assert.Equal(ActivityKind.Server, callee.Kind);
        Assert.Equal("IMigratingGrain/Add", callee.DisplayName);
        Assert.Equal(b.Address.ToString(), callee.GetTagItem("atelier.silo"));
        Assert.Equal("t-1", callee.GetTagItem("atelier.grain.key"));
        Assert.Null(RequestContext.Get(RuntimeTelemetry.TraceParentKey)); // the caller's own context is untouched
    }

    /// <summary>Every measurement of one silo's runtime meter, with its tags.</summary>
    private sealed class Measurements : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> _seen = new();

        public Measurements(TestSilo silo)
        {
            var factory = silo.Services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Meter.Name == RuntimeMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, v, t, _) => _seen.Enqueue((i.Name, v, t.ToArray())));
            _listener.SetMeasurementEventCallback<int>((i, v, t, _) => _seen.Enqueue((i.Name, v, t.ToArray())));
            _listener.SetMeasurementEventCallback<double>((i, v, t, _) => _seen.Enqueue((i.Name, v, t.ToArray())));
            _listener.Start();
        }

        public void Observe() => _listener.RecordObservableInstruments();

        public IEnumerable<double> Values(string instrument, params (string Key, string Value)[] tags) =>
            _seen.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.Any(x => x.Key == t.Key && Equals(x.Value, t.Value)))).Select(m => m.Value);

        public double Sum(string instrument, params (string Key, string Value)[] tags) => Values(instrument, tags).Sum();

        public int Count(string instrument, params (string Key, string Value)[] tags) => Values(instrument, tags).Count();

        public void Dispose() => _listener.Dispose();
    }
}
