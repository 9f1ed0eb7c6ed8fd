using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Atelier.Grains.Diagnostics;
using Atelier.Grains.Memory;
using Atelier.Models.Adapters;
using Atelier.Models.Manifest;
using Atelier.Models.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Atelier.Grains.Models;

/// <summary>
/// Multi-model endpoint semantics on one silo: models are loaded on demand through the adapters, one
/// loaded instance is shared by every session of the silo, and least recently used models are unloaded
/// when the device budget (shared with session tensors, see <see cref="DeviceMemoryManager"/>) would be
/// exceeded. Pinned models are never evicted; a model in use is never unloaded mid-run; concurrent
/// requests for a model being loaded wait for that one load. Runs pass through one device gate that
/// serves interactive work (clicks) before batch work (encoders, inpainting).
/// </summary>
public sealed partial class ModelHost : IDisposable
{
    private readonly ConcurrentDictionary<string, ModelSlot> _slots = new(StringComparer.Ordinal);
    private readonly ModelLoader _loader;
    private readonly IModelStore _store;
    private readonly DeviceMemoryManager _memory;
    private readonly ModelHostOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelHost> _logger;
    private readonly DeviceExecutionGate _gate;
    private readonly ModelMetrics? _metrics;

    public ModelHost(
        ModelLoader loader,
        IModelStore store,
        DeviceMemoryManager memory,
        IOptions<ModelHostOptions> options,
        TimeProvider time,
        ILogger<ModelHost> logger,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _loader = loader;
        _store = store;
        _memory = memory;
        _options = options.Value;
        _time = time;
        _logger = logger;
        if (_options.MaxConcurrentRuns < 1 || _options.MaxQueuedRunsPerModel < 1)
        {
            throw new ArgumentException("Models:Host:MaxConcurrentRuns and MaxQueuedRunsPerModel must be at least 1.", nameof(options));
        }

        _gate = new DeviceExecutionGate(_options.MaxConcurrentRuns);
        _metrics = meterFactory is null ? null : new ModelMetrics(meterFactory, this);
    }

    /// <summary>The device memory accountant shared with session tensors.</summary>
    public DeviceMemoryManager Memory => _memory;

    /// <summary>Every model this silo has touched (read by <see cref="ModelMetrics"/>).</summary>
    internal ICollection<ModelSlot> Slots => _slots.Values;

    /// <summary>Runs waiting for the device, all models together.</summary>
    public int QueueLength => _gate.QueueLength;

    /// <summary>
    /// Returns the model loaded and held for use (it cannot be evicted until the result is disposed),
    /// loading it first if needed. Throws <see cref="ModelNotFoundException"/> for an unknown id,
    /// <see cref="InvalidPromptException"/> when the model is not a <typeparamref name="TModel"/>, and
    /// <see cref="OverloadedException"/> when the device budget cannot fit it.
    /// </summary>
    public async Task<ModelUse<TModel>> AcquireAsync<TModel>(string modelId, CancellationToken cancellationToken)
        where TModel : LoadedModel
    {
        ArgumentNullException.ThrowIfNull(modelId);
        var slot = _slots.GetOrAdd(modelId, static id => new ModelSlot(id));
        var counted = false;
        while (true)
        {
            Task loading;
            lock (slot.Gate)
            {
                if (slot.Lease is { IsReleased: false } lease && slot.Model is not null)
                {
                    var scope = lease.Use();
                    if (scope.Tier == MemoryTier.Device && slot.Model is { } model)
                    {
                        if (!counted)
                        {
                            Interlocked.Increment(ref slot.Hits);
                        }

                        slot.LastUsedUnixMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
                        if (model is not TModel typed)
                        {
                            scope.Dispose();
                            throw new InvalidPromptException($"Model '{modelId}' is a {System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(model.Kind.ToString())} model, not usable here.");
                        }

                        return new ModelUse<TModel>(typed, scope);
                    }

                    scope.Dispose();
                }

                if (slot.Lease is { } stale && (stale.IsReleased || stale.Tier == MemoryTier.Dropped))
                {
                    stale.Dispose();
                    slot.Lease = null;
                    slot.Model = null;
                }

                if (!counted)
                {
                    Interlocked.Increment(ref slot.Misses);
                    counted = true;
                }

                slot.Loading ??= LoadAsync(slot);
                loading = slot.Loading;
            }

            await loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> with the model held and a device slot taken, counting the run under
    /// <paramref name="operation"/>. Refuses with <see cref="OverloadedException"/> when too many runs
    /// already wait for this model.
    /// </summary>
    public async Task<TResult> RunAsync<TModel, TResult>(
        string modelId,
        string operation,
        RunPriority priority,
        Func<TModel, CancellationToken, TResult> work,
        CancellationToken cancellationToken)
        where TModel : LoadedModel
    {
        ArgumentNullException.ThrowIfNull(work);
        using var use = await AcquireAsync<TModel>(modelId, cancellationToken).ConfigureAwait(false);
        return await RunAsync(use, operation, priority, work, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="work"/> on a model already held (see <see cref="AcquireAsync{TModel}"/>).</summary>
    public async Task<TResult> RunAsync<TModel, TResult>(
        ModelUse<TModel> use,
        string operation,
        RunPriority priority,
        Func<TModel, CancellationToken, TResult> work,
        CancellationToken cancellationToken)
        where TModel : LoadedModel
    {
        ArgumentNullException.ThrowIfNull(use);
        ArgumentNullException.ThrowIfNull(work);
        var slot = _slots[use.Model.Id];
        if (Interlocked.Increment(ref slot.Queued) > _options.MaxQueuedRunsPerModel)
        {
            Interlocked.Decrement(ref slot.Queued);
            throw new OverloadedException($"Model '{slot.Id}' has {_options.MaxQueuedRunsPerModel} runs waiting; retry shortly.");
        }

        return await RunOnDeviceAsync(slot, operation, priority, 1, () => work(use.Model, cancellationToken), cancellationToken, queuedCounted: true).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs one request of a batchable operation. With <paramref name="maxBatch"/> (the model's, capped by
    /// <see cref="ModelHostOptions.MaxBatch"/>) above 1, requests for the same model and operation wait in its
    /// <see cref="DynamicBatcher{TItem, TResult}"/> and run together, taking one device slot per batch (up to
    /// <see cref="ModelHostOptions.MaxConcurrentRuns"/> batches at once); otherwise this is
    /// <see cref="RunAsync{TModel, TResult}(ModelUse{TModel}, string, RunPriority, Func{TModel, CancellationToken, TResult}, CancellationToken)"/>.
    /// <paramref name="work"/> returns one result per item, in order. Refuses with <see cref="OverloadedException"/> when
    /// too many requests already wait for this model.
    /// </summary>
    public async Task<TResult> RunBatchedAsync<TModel, TItem, TResult>(
        ModelUse<TModel> use,
        string operation,
        RunPriority priority,
        int maxBatch,
        TItem item,
        Func<TModel, IReadOnlyList<TItem>, CancellationToken, TResult[]> work,
        CancellationToken cancellationToken)
        where TModel : LoadedModel
    {
        ArgumentNullException.ThrowIfNull(use);
        ArgumentNullException.ThrowIfNull(work);
        maxBatch = Math.Min(maxBatch, _options.MaxBatch);
        if (maxBatch <= 1)
        {
            return await RunAsync(use, operation, priority, (model, ct) => work(model, [item], ct)[0], cancellationToken).ConfigureAwait(false);
        }

        var slot = _slots[use.Model.Id];
        if (Interlocked.Increment(ref slot.Queued) > _options.MaxQueuedRunsPerModel)
        {
            Interlocked.Decrement(ref slot.Queued);
            throw new OverloadedException($"Model '{slot.Id}' has {_options.MaxQueuedRunsPerModel} runs waiting; retry shortly.");
        }

        try
        {
            var batcher = (DynamicBatcher<(TModel Model, TItem Item), TResult>)slot.Batchers.GetOrAdd(
                $"{operation}/{maxBatch}",
                _ => new DynamicBatcher<(TModel Model, TItem Item), TResult>(maxBatch, _options.MaxConcurrentRuns, _options.BatchQueueDelay, _time, batch =>
                    RunOnDeviceAsync(slot, operation, priority, batch.Count, () => work(batch[0].Model, [.. batch.Select(b => b.Item)], CancellationToken.None), CancellationToken.None, queuedCounted: false)));
            // Every request holds its own use of the model, so batch[0]'s model stays loaded while the batch runs.
            return await batcher.SubmitAsync((use.Model, item), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref slot.Queued);
        }
    }

    /// <summary>
    /// Takes a device slot, runs <paramref name="run"/> (one batch of <paramref name="batchSize"/> requests) and counts it;
    /// with <paramref name="queuedCounted"/> the caller's place in <see cref="ModelSlot.Queued"/> ends when the slot is taken.
    /// </summary>
    private async Task<TResult> RunOnDeviceAsync<TResult>(
        ModelSlot slot, string operation, RunPriority priority, int batchSize, Func<TResult> run, CancellationToken cancellationToken, bool queuedCounted)
    {
        DeviceExecutionGate.Releaser releaser;
        var queued = Stopwatch.GetTimestamp();
        try
        {
            releaser = await _gate.EnterAsync(priority, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (queuedCounted)
            {
                Interlocked.Decrement(ref slot.Queued);
            }
        }

        _metrics?.Waited(slot.Id, queued);
        using (releaser)
        {
            using var activity = ModelTelemetry.StartRun(slot.Id, operation);
            activity?.SetTag("atelier.batch.size", batchSize);
            var started = Stopwatch.GetTimestamp();
            try
            {
                return run();
            }
            finally
            {
                var elapsed = Stopwatch.GetTimestamp() - started;
                Interlocked.Add(ref slot.RunTicks, elapsed);
                _metrics?.Ran(slot.Id, operation, elapsed, batchSize);
                Interlocked.Increment(ref slot.Runs);
                if (batchSize > 1)
                {
                    Interlocked.Add(ref slot.BatchedRequests, batchSize);
                }

                slot.RunsByOperation.AddOrUpdate(operation, 1, static (_, n) => n + 1);
            }
        }
    }

    /// <summary>Loads a model now (no-op when loaded). Returns its residency.</summary>
    public async Task<ModelResidency> LoadAsync(string modelId, string silo, CancellationToken cancellationToken)
    {
        using (await AcquireAsync<LoadedModel>(modelId, cancellationToken).ConfigureAwait(false))
        {
        }

        return Residency(_slots[modelId], silo);
    }

    /// <summary>Unloads a model if it is loaded and not in use (pinned ones too: an explicit request); false otherwise.</summary>
    public bool Unload(string modelId)
    {
        if (!_slots.TryGetValue(modelId, out var slot))
        {
            return false;
        }

        lock (slot.Gate)
        {
            if (slot.Lease is not { } lease || slot.Model is null || !_memory.TryDrop(lease, evenIfPinned: true))
            {
                return false;
            }

            slot.Lease = null;
            Interlocked.Decrement(ref slot.Evictions); // Drop counted an eviction; this was a request
            LogUnloaded(_logger, modelId);
            return true;
        }
    }

    /// <summary>Runs per operation of one model on this silo (0 when never run).</summary>
    public long RunCount(string modelId, string operation) =>
        _slots.TryGetValue(modelId, out var slot) && slot.RunsByOperation.TryGetValue(operation, out var n) ? n : 0;

    /// <summary>Residency and counters of every model this silo has touched.</summary>
    public IReadOnlyList<ModelResidency> Residency(string silo)
    {
        var result = new List<ModelResidency>(_slots.Count);
        foreach (var slot in _slots.Values)
        {
            result.Add(Residency(slot, silo));
        }

        result.Sort(static (a, b) => string.CompareOrdinal(a.ModelId, b.ModelId));
        return result;
    }

    /// <summary>Ids of the models loaded on the device now.</summary>
    public IReadOnlyList<string> ResidentModels()
    {
        var result = new List<string>();
        foreach (var slot in _slots.Values)
        {
            if (slot.Model is not null && slot.Lease is { IsReleased: false, Tier: MemoryTier.Device })
            {
                result.Add(slot.Id);
            }
        }

        result.Sort(StringComparer.Ordinal);
        return result;
    }

    /// <summary>Loads the configured pinned models; called at silo start.</summary>
    public async Task LoadPinnedAsync(CancellationToken cancellationToken)
    {
        foreach (var id in _options.Pinned)
        {
            var slot = _slots.GetOrAdd(id, static i => new ModelSlot(i));
            slot.Pinned = true;
            using (await AcquireAsync<LoadedModel>(id, cancellationToken).ConfigureAwait(false))
            {
            }
        }
    }

    public void Dispose()
    {
        foreach (var slot in _slots.Values)
        {
            lock (slot.Gate)
            {
                slot.Lease?.Dispose();
                slot.Model?.Dispose();
                slot.Model = null;
                slot.Lease = null;
            }
        }
    }

    private ModelResidency Residency(ModelSlot slot, string silo)
    {
        ModelState state;
        long bytes;
        lock (slot.Gate)
        {
            var loaded = slot.Model is not null && slot.Lease is { IsReleased: false, Tier: MemoryTier.Device };
            state = loaded ? ModelState.Loaded : slot.Loading is not null ? ModelState.Loading : ModelState.OnDisk;
            bytes = loaded ? slot.Lease!.Bytes : 0;
        }

        var lastUsed = Interlocked.Read(ref slot.LastUsedUnixMs);
        return new ModelResidency(
            slot.Id,
            silo,
            state,
            slot.Pinned,
            lastUsed == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(lastUsed),
            Interlocked.Read(ref slot.Loads),
            Stopwatch.GetElapsedTime(0, Interlocked.Read(ref slot.LoadTicks)).TotalMilliseconds,
            Interlocked.Read(ref slot.Hits),
            Interlocked.Read(ref slot.Misses),
            Interlocked.Read(ref slot.Evictions),
            bytes,
            Interlocked.Read(ref slot.Runs),
            Stopwatch.GetElapsedTime(0, Interlocked.Read(ref slot.RunTicks)).TotalMilliseconds)
        {
            RunsByOperation = new Dictionary<string, long>(slot.RunsByOperation, StringComparer.Ordinal),
        };
    }

    /// <summary>The one load of a slot; its outcome is shared by every waiter, then the slot forgets it.</summary>
    private async Task LoadAsync(ModelSlot slot)
    {
        await Task.Yield(); // leave the slot lock before doing any work
        MemoryLease? lease = null;
        try
        {
            var entry = await _store.GetAsync(slot.Id, CancellationToken.None).ConfigureAwait(false)
                ?? throw new ModelNotFoundException($"Model '{slot.Id}' is not registered.");
            slot.Pinned |= _options.Pinned.Contains(slot.Id);
            var bytes = entry.Manifest.DeclaredBytes ?? entry.SizeBytes;
            try
            {
                // Reserve before loading: the budget must hold while the model is being created.
                lease = _memory.Reserve(slot.Id, LeaseKind.Model, bytes, slot, slot.Pinned);
            }
            catch (DeviceMemoryExhaustedException e)
            {
                throw new OverloadedException($"Not enough device memory to load model '{slot.Id}': {e.Message}", e);
            }

            var started = Stopwatch.GetTimestamp();
            var model = await _loader.LoadAsync(entry, CancellationToken.None).ConfigureAwait(false);
            var elapsed = Stopwatch.GetTimestamp() - started;
            lock (slot.Gate)
            {
                slot.Model = model;
                slot.Lease = lease;
                lease = null;
                Interlocked.Increment(ref slot.Loads);
                Interlocked.Add(ref slot.LoadTicks, elapsed);
            }

            _metrics?.Loaded(slot.Id, elapsed);
            LogLoaded(_logger, slot.Id, bytes, Stopwatch.GetElapsedTime(0, elapsed).TotalMilliseconds);
        }
        catch (Exception e) when (e is not AtelierException)
        {
            LogLoadFailed(_logger, slot.Id, e);
            throw;
        }
        finally
        {
            lease?.Dispose();
            lock (slot.Gate)
            {
                slot.Loading = null;
            }
        }
    }
}
