using System.Diagnostics;
using System.Diagnostics.Metrics;
using Atelier.Grains.Memory;
using Atelier.Grains.Models;

namespace Atelier.Grains.Diagnostics;

/// <summary>
/// Per-model instruments of one silo (meter <c>Atelier.Models</c>), every one labelled <c>model</c>: loads and
/// load latency, cache hits and misses (a request that found the model resident, or had to load it), evictions,
/// resident bytes, runs and run latency (also by <c>operation</c>), and the device queue (length, wait). The
/// counters are read from the <see cref="ModelHost"/>'s own per-model counters at collection time, so the
/// <c>/v1/models</c> residency figures and the metrics always agree; latencies are recorded as they happen.
/// Device memory usage and budget (models and session tensors together) are reported here too.
/// </summary>
internal sealed class ModelMetrics
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "Atelier.Models";

    private readonly ModelHost _host;
    private readonly Histogram<double> _loadDuration;
    private readonly Histogram<double> _runDuration;
    private readonly Histogram<double> _queueWait;
    private readonly Histogram<int> _batchSize;

    public ModelMetrics(IMeterFactory meterFactory, ModelHost host)
    {
        _host = host;
        var meter = meterFactory.Create(MeterName);
        var seconds = new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricBuckets.Seconds };
        _loadDuration = meter.CreateHistogram("atelier.model.load.duration", "s", "Time to load a model (read, create the ONNX session), by model.", advice: seconds);
        _runDuration = meter.CreateHistogram("atelier.model.run.duration", "s", "Time a model run held the device, by model and operation (encode, decode, ...).", advice: seconds);
        _queueWait = meter.CreateHistogram("atelier.model.queue.wait", "s", "Time a run waited for the device gate, by model.", advice: seconds);
        _batchSize = meter.CreateHistogram("atelier.model.batch.size", "{request}", "Requests per model run (1 unless the model batches), by model and operation.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
        meter.CreateObservableCounter("atelier.model.loads", () => Observe(static s => Interlocked.Read(ref s.Loads)), "{load}", "Completed model loads, by model.");
        meter.CreateObservableCounter("atelier.model.cache.hits", () => Observe(static s => Interlocked.Read(ref s.Hits)), "{request}", "Model requests that found the model resident, by model.");
        meter.CreateObservableCounter("atelier.model.cache.misses", () => Observe(static s => Interlocked.Read(ref s.Misses)), "{request}", "Model requests that had to load the model, by model.");
        meter.CreateObservableCounter("atelier.model.evictions", () => Observe(static s => Interlocked.Read(ref s.Evictions)), "{eviction}", "Models unloaded to make room in the device budget, by model.");
        meter.CreateObservableCounter("atelier.model.runs", () => Observe(static s => Interlocked.Read(ref s.Runs)), "{run}", "Completed model runs, by model.");
        meter.CreateObservableGauge("atelier.model.resident", () => Observe(ResidentBytes), "By", "Device bytes accounted to a loaded model (0 when on disk), by model.");
        meter.CreateObservableGauge("atelier.model.queue.length", () => Observe(static s => (long)Volatile.Read(ref s.Queued)), "{run}", "Runs waiting for the device now, by model.");
        meter.CreateObservableGauge("atelier.device.memory.usage", () => ObserveMemory(used: true), "By", "Bytes accounted in device memory (models and session tensors) and in host memory (demoted session tensors), by tier.");
        meter.CreateObservableGauge("atelier.device.memory.budget", () => ObserveMemory(used: false), "By", "Budgets of device memory (models and session tensors) and host memory (demoted session tensors), by tier.");
    }

    public void Loaded(string modelId, long elapsedTimestampTicks) =>
        _loadDuration.Record(Stopwatch.GetElapsedTime(0, elapsedTimestampTicks).TotalSeconds, new KeyValuePair<string, object?>("model", modelId));

    public void Ran(string modelId, string operation, long elapsedTimestampTicks, int batchSize)
    {
        var model = new KeyValuePair<string, object?>("model", modelId);
        var kind = new KeyValuePair<string, object?>("operation", operation);
        _runDuration.Record(Stopwatch.GetElapsedTime(0, elapsedTimestampTicks).TotalSeconds, model, kind);
        _batchSize.Record(batchSize, model, kind);
    }

    public void Waited(string modelId, long startedTimestamp)
    {
        if (_queueWait.Enabled)
        {
            _queueWait.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, new KeyValuePair<string, object?>("model", modelId));
        }
    }

    private static long ResidentBytes(ModelSlot slot) =>
        slot.Model is not null && slot.Lease is { IsReleased: false, Tier: MemoryTier.Device } lease ? lease.Bytes : 0;

    private List<Measurement<long>> Observe(Func<ModelSlot, long> value)
    {
        var result = new List<Measurement<long>>();
        foreach (var slot in _host.Slots)
        {
            result.Add(new Measurement<long>(value(slot), new KeyValuePair<string, object?>("model", slot.Id)));
        }

        return result;
    }

    private Measurement<long>[] ObserveMemory(bool used)
    {
        var memory = _host.Memory;
        return
        [
            new(used ? memory.DeviceBytesUsed : memory.DeviceBudgetBytes, new KeyValuePair<string, object?>("tier", "device")),
            new(used ? memory.HostBytesUsed : memory.HostBudgetBytes, new KeyValuePair<string, object?>("tier", "host")),
        ];
    }
}
