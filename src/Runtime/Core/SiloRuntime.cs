using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Atelier.Runtime;

/// <summary>
/// One silo's actor runtime: the activation table, call routing (local mailbox or transport), the receiving end of
/// the transport, placement, idle collection, load reporting and shutdown. Registered by <c>AddAtelierSilo</c> as a
/// singleton and hosted service; <see cref="IGrainFactory"/> and <see cref="IMessageHandler"/> resolve to it.
/// </summary>
public sealed partial class SiloRuntime : IHostedService, IMessageHandler, IAsyncDisposable, IDisposable
{
    private readonly ConcurrentDictionary<GrainId, ActivationData> _activations = new();
    private readonly ConcurrentDictionary<GrainId, GrainAddress> _addressCache = new();
    private readonly ConcurrentDictionary<(SiloAddress Caller, long CallId), CancellationTokenSource> _incoming = new();
    private readonly ConcurrentDictionary<Type, IPlacementDirector> _directors = new();
    private readonly Dictionary<string, GrainClassInfo> _classes = new(StringComparer.Ordinal);
    private readonly IMembership _membership;
    private readonly IMessageTransport _transport;
    private readonly Lock _lifecycleLock = new();
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _collectionTimer;
    private readonly CallTimeouts? _timeouts;
    private ITimer? _loadTimer;
    private ITimer? _timeoutTimer;
    private long _nextCallId;
    private volatile bool _stopRequested;
    private bool _stopped;

    /// <summary>Creates the runtime (use DI: <c>services.AddAtelierSilo()</c>).</summary>
    public SiloRuntime(
        IOptions<SiloRuntimeOptions> options,
        IServiceProvider services,
        IMembership membership,
        IGrainDirectory directory,
        IMessageTransport transport,
        TimeProvider time,
        ILogger<SiloRuntime> logger,
        IEnumerable<GrainRegistration> registrations)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registrations);
        Options = options.Value;
        Options.Validate();
        Services = services;
        _membership = membership;
        Directory = directory;
        _transport = transport;
        Time = time;
        Logger = logger;
        Address = new SiloAddress(Options.Endpoint, Options.Generation ?? time.GetUtcNow().ToUnixTimeMilliseconds());
        foreach (var registration in registrations)
        {
            var info = new GrainClassInfo(GrainInterfaceInfo.Get(registration.InterfaceType), registration.ImplementationType, Options);
            if (!_classes.TryAdd(info.Interface.Name, info) && _classes[info.Interface.Name].ImplementationType != info.ImplementationType)
            {
                throw new InvalidOperationException(
                    $"Grain interface {info.Interface.Name} is implemented by both {_classes[info.Interface.Name].ImplementationType} and {info.ImplementationType}.");
            }
        }

        GrainFactory = new GrainFactory(this);
        Metrics = new Diagnostics.RuntimeMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), this);
        if (Options.ResponseTimeout != Timeout.InfiniteTimeSpan)
        {
            _timeouts = new CallTimeouts(time, Options.ResponseTimeout);
            _timeoutTimer = time.CreateTimer(static s => ((CallTimeouts)s!).Sweep(), _timeouts, _timeouts.SweepPeriod, _timeouts.SweepPeriod);
        }

        IncomingFilters = [];
        OutgoingFilters = [];
    }

    /// <summary>This silo's address.</summary>
    public SiloAddress Address { get; }

    /// <summary>This silo's name (<see cref="SiloRuntimeOptions.Name"/>, else its endpoint).</summary>
    public string Name => Options.Name ?? Options.Endpoint;

    /// <summary>Creates grain references whose calls are routed by this silo.</summary>
    public IGrainFactory GrainFactory { get; }

    /// <summary>Number of live activations on this silo.</summary>
    public int ActivationCount => _activations.Count;

    internal SiloRuntimeOptions Options { get; }

    internal IServiceProvider Services { get; }

    internal IGrainDirectory Directory { get; }

    internal TimeProvider Time { get; }

    internal Diagnostics.RuntimeMetrics Metrics { get; }

    internal ILogger Logger { get; }

    internal IIncomingGrainCallFilter[] IncomingFilters { get; private set; }

    internal IOutgoingGrainCallFilter[] OutgoingFilters { get; private set; }

    /// <summary>Fires when the silo starts stopping (passed to <see cref="Grain.OnActivateAsync"/> and shutdown deactivations).</summary>
    internal CancellationToken StoppingToken => _stopping.Token;

    /// <summary>The grains active on this silo now.</summary>
    public IReadOnlyList<GrainId> GetActivations() => [.. _activations.Keys];

    /// <summary>This silo's current load (what is published to membership).</summary>
    public SiloLoad GetLoad()
    {
        var queued = 0;
        foreach (var activation in _activations.Values)
        {
            queued += activation.QueueLength;
        }

        var load = new SiloLoad(Address) { Activations = _activations.Count, QueueLength = queued };
        return Services.GetService<ISiloLoadSource>() is { } source ? source.Enrich(load) : load;
    }

    /// <summary>Joins membership as active and starts idle collection and load reporting.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        IncomingFilters = [.. Services.GetServices<IIncomingGrainCallFilter>()];
        OutgoingFilters = [.. Services.GetServices<IOutgoingGrainCallFilter>()];
        await _membership.ReportLoadAsync(GetLoad(), cancellationToken).ConfigureAwait(false);
        await _membership.SetStatusAsync(Address, SiloStatus.Active, cancellationToken).ConfigureAwait(false);
        _collectionTimer = Time.CreateTimer(static s => ((SiloRuntime)s!).CollectIdleActivations(), this, Options.CollectionQuantum, Options.CollectionQuantum);
        _loadTimer = Time.CreateTimer(static s => _ = ((SiloRuntime)s!).ReportLoadAsync(), this, Options.LoadReportPeriod, Options.LoadReportPeriod);
        Log.Started(Logger, Address, _classes.Count);
    }

    /// <summary>
    /// Stops the silo: marks it shutting down (no new placements here), migrates what can move to other active silos
    /// (<see cref="SiloRuntimeOptions.DrainOnShutdown"/>, within <see cref="SiloRuntimeOptions.DrainTimeout"/>),
    /// deactivates every remaining activation (each runs
    /// <see cref="Grain.OnDeactivateAsync"/> after its current turn) within <see cref="SiloRuntimeOptions.ShutdownTimeout"/>,
    /// aborts what is left at the deadline, then leaves membership.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await BeginStopAsync(cancellationToken).ConfigureAwait(false); // done already when the host called StoppingAsync
        CancellationTokenSource deadline;
        lock (_lifecycleLock)
        {
            if (_shutdownDeadline is null || _deactivating)
            {
                return; // killed, or another StopAsync is deactivating
            }

            _deactivating = true;
            deadline = _shutdownDeadline;
        }

        using var registration = cancellationToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), deadline);
        await using var stopping = deadline.Token.Register(static s => ((CancellationTokenSource)s!).Cancel(), _stopping).ConfigureAwait(false);
        var activations = _activations.Values.ToArray();
        foreach (var activation in activations)
        {
            activation.EnqueueControl(new ControlItem(ControlKind.Shutdown));
        }

        try
        {
            await Task.WhenAll(activations.Select(a => a.Completion)).WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            var left = activations.Where(a => !a.Completion.IsCompleted).ToArray();
            Log.ShutdownDeadlineExceeded(Logger, left.Length, Options.ShutdownTimeout);
            foreach (var activation in left)
            {
                activation.Abort();
            }
        }

        foreach (var activation in _activations.Values)
        {
            activation.Abort(); // created concurrently with the shutdown
        }

        try
        {
            await _membership.SetStatusAsync(Address, SiloStatus.Dead, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Shutdown goes on whatever membership says.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.MembershipUpdateFailed(Logger, exception);
        }

        _stopped = true;
        Log.Stopped(Logger, Address);
    }

    /// <summary>Stops the silo if it was not stopped.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        _timeoutTimer?.Dispose();
        _hostStoppingRegistration.Dispose();
        _shutdownDeadline?.Dispose();
        _stopping.Dispose();
    }

    /// <summary>
    /// Migrates an activation of this silo to <paramref name="target"/> (or a silo placement chooses): its state
    /// travels through <see cref="IGrainMigrationParticipant"/> and the directory entry moves with it.
    /// Completes when the new activation has run <see cref="Grain.OnActivateAsync"/>.
    /// </summary>
    public async Task MigrateAsync(GrainId grainId, SiloAddress? target, CancellationToken cancellationToken)
    {
        if (!_activations.TryGetValue(grainId, out var activation) || activation.GrainClass.Interface.IsPerSilo)
        {
            throw new InvalidOperationException($"{grainId} has no migratable activation on silo {Address}.");
        }

        var control = new ControlItem(ControlKind.Migrate, target);
        activation.EnqueueControl(control);
        await control.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops serving at once, as if the process had died: no <see cref="Grain.OnDeactivateAsync"/>, no directory or
    /// membership updates (other silos take the entries over once membership says this silo is dead). For a silo
    /// that learns it was declared dead, and for failure tests.
    /// </summary>
    public void Kill()
    {
        lock (_lifecycleLock)
        {
            _stopRequested = true;
            _stopped = true;
        }

        _collectionTimer?.Dispose();
        _loadTimer?.Dispose();
        _stopping.Cancel();
        foreach (var activation in _activations.Values)
        {
            activation.Abort(unregister: false);
        }
    }

    /// <summary>Synchronous disposal for containers disposed synchronously: stops the silo (blocking) if needed.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    internal void RemoveActivation(ActivationData activation) =>
        _activations.TryRemove(new KeyValuePair<GrainId, ActivationData>(activation.GrainId, activation));

    internal void CacheAddress(GrainAddress address)
    {
        if (address.Silo == Address)
        {
            _addressCache.TryRemove(address.GrainId, out _);
            return;
        }

        if (_addressCache.Count >= Options.DirectoryCacheSize)
        {
            _addressCache.Clear();
        }

        _addressCache[address.GrainId] = address;
    }

    internal GrainAddress? TryGetCachedAddress(GrainId grainId) => _addressCache.TryGetValue(grainId, out var address) ? address : null;

    private GrainClassInfo GetClass(GrainInterfaceInfo grainInterface) =>
        _classes.TryGetValue(grainInterface.Name, out var info)
            ? info
            : throw new InvalidOperationException($"No grain class is registered for {grainInterface.Name} on silo {Address} (services.AddGrain<,>()).");

    private GrainInterfaceInfo ResolveInterface(string name) =>
        _classes.TryGetValue(name, out var info)
            ? info.Interface
            : throw new InvalidOperationException($"No grain class is registered for {name} on silo {Address}.");

    /// <summary>The activation of <paramref name="grainId"/> on this silo, created (and started) if there is none.</summary>
    private ActivationData GetOrCreateActivation(GrainInterfaceInfo grainInterface, GrainId grainId, GrainAddress? previous, bool isNewGrain = false)
    {
        if (_activations.TryGetValue(grainId, out var existing))
        {
            return existing;
        }

        ActivationData created;
        lock (_lifecycleLock)
        {
            if (_activations.TryGetValue(grainId, out existing))
            {
                return existing;
            }

            if (_stopRequested)
            {
                throw new SiloUnavailableException($"Silo {Address} is shutting down and accepts no new activations.");
            }

            created = new ActivationData(this, GetClass(grainInterface), grainId, previous, rehydration: null, isNewGrain);
            _activations[grainId] = created;
        }

        created.Start();
        return created;
    }

    private void CollectIdleActivations()
    {
        var now = Time.GetTimestamp();
        foreach (var activation in _activations.Values)
        {
            if (activation.IsCollectable(now))
            {
                activation.MarkCollectionPending();
                activation.EnqueueControl(new ControlItem(ControlKind.Collect));
            }
        }
    }

    private async Task ReportLoadAsync()
    {
        try
        {
            await _membership.ReportLoadAsync(GetLoad(), CancellationToken.None).ConfigureAwait(false);
            if (!_deferred.IsEmpty)
            {
                await RegisterDeferredAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // The next period tries again.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.MembershipUpdateFailed(Logger, exception);
        }
    }
}
