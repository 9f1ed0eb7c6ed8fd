using System.Diagnostics;
using Atelier.Bench.Infrastructure;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Atelier.Bench;

/// <summary>
/// Cost of observability on the hottest path, a local grain call: no listener (instruments disabled, no spans), an
/// OpenTelemetry meter provider with the Prometheus exporter's reader on Orleans' and Atelier's meters (what
/// <c>/metrics</c> serves), and the same plus an <see cref="ActivityListener"/> recording every span with the caller
/// inside a root activity (Orleans injects the trace context into every call). One in-process Orleans silo, rounds
/// alternating without and with the meter provider; then the same with tracing on.
/// </summary>
internal sealed class ObservabilityBenchmark : IBenchmark
{
    private const int Calls = 100_000;
    private const int Rounds = 7;

    public string Name => "observability";

    public string Description => "local grain call with metrics off / OpenTelemetry metrics on / metrics + tracing";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        // One silo; the meter provider (listening to Orleans' process-wide meters) exists only during the "on" rounds.
        await using var cluster = await InProcessSilos.StartAsync(1, _ => { }, cancellationToken).ConfigureAwait(false);
        var silo = cluster.Silos[0];
        static MeterProvider NewCollector() => Sdk.CreateMeterProviderBuilder().AddMeter("Microsoft.Orleans*", "Atelier.*").AddPrometheusExporter().Build();
        var off = silo.GrainFactory.GetGrain<IObservedGrain>("g");
        var on = off;

        var offTimes = new double[Rounds];
        var onTimes = new double[Rounds];
        var tracedTimes = new double[Rounds];
        double offBytes = 0, onBytes = 0, tracedBytes = 0;
        await MeasureAsync(off, 2_000).ConfigureAwait(false); // warm up
        for (var round = 0; round < Rounds; round++)
        {
            (offTimes[round], var b1) = await MeasureAsync(off, Calls).ConfigureAwait(false);
            using (NewCollector())
            {
                (onTimes[round], var b2) = await MeasureAsync(on, Calls).ConfigureAwait(false);
                (offBytes, onBytes) = (Math.Max(offBytes, b1), Math.Max(onBytes, b2));
            }
        }

        using var collector = NewCollector();

        var spans = 0L;
        using (var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name.StartsWith("Atelier.", StringComparison.Ordinal) || s.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) || s.Name == "bench",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _ => Interlocked.Increment(ref spans),
        })
        {
            ActivitySource.AddActivityListener(listener);
            using var source = new ActivitySource("bench");
            using var root = source.StartActivity("bench root");
            await MeasureAsync(on, 2_000).ConfigureAwait(false);
            for (var round = 0; round < Rounds; round++)
            {
                (tracedTimes[round], var b3) = await MeasureAsync(on, Calls).ConfigureAwait(false);
                tracedBytes = Math.Max(tracedBytes, b3);
            }
        }

        var baseline = BenchContext.Median(offTimes);
        var output = context.Output;
        await output.WriteLineAsync($"| local grain call, no-op ({Calls:N0} sequential calls, median of {Rounds} rounds) | ns/call | allocated bytes/call | vs off |").ConfigureAwait(false);
        await output.WriteLineAsync("|---|---:|---:|---:|").ConfigureAwait(false);
        await Row("metrics off (no listener)", baseline, offBytes).ConfigureAwait(false);
        await Row("OpenTelemetry metrics on (Prometheus reader)", BenchContext.Median(onTimes), onBytes).ConfigureAwait(false);
        await Row("metrics + tracing (every span recorded)", BenchContext.Median(tracedTimes), tracedBytes).ConfigureAwait(false);
        await output.WriteLineAsync($"Spans recorded: {spans:N0}.").ConfigureAwait(false);

        Task Row(string name, double ns, double bytes) => output.WriteLineAsync($"| {name} | {ns:N0} | {bytes:N0} | {ns / baseline:N2}x |");
    }

    private static async Task<(double Ns, double Bytes)> MeasureAsync(IObservedGrain grain, int calls)
    {
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++)
        {
            await grain.Noop().ConfigureAwait(false);
        }

        watch.Stop();
        return (watch.Elapsed.TotalNanoseconds / calls, (double)(GC.GetTotalAllocatedBytes(precise: true) - allocated) / calls);
    }

    /// <summary>The grain measured.</summary>
    public interface IObservedGrain : IGrainWithStringKey
    {
        Task Noop();
    }

    internal sealed class ObservedGrain : Grain, IObservedGrain
    {
        public Task Noop() => Task.CompletedTask;
    }
}
