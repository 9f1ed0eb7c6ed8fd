namespace Atelier.Runtime;

/// <summary>
/// Base class of grain implementations. The runtime creates instances (constructor injection from DI, one scope
/// per activation) and guarantees one call at a time per activation, so grain code needs no locks.
/// </summary>
public abstract class Grain : IAddressable
{
    [ThreadStatic]
    private static ActivationData? t_constructing;

    private readonly ActivationData? _activation;

    /// <summary>Binds the instance to the activation the runtime is constructing.</summary>
    protected Grain() => _activation = t_constructing;

    /// <summary>The grain's id (type and key). Also available in the constructor.</summary>
    public GrainId GrainId => Activation.GrainId;

    /// <summary>Creates references to other grains.</summary>
    protected IGrainFactory GrainFactory => Activation.Runtime.GrainFactory;

    /// <summary>The silo this activation lives on.</summary>
    protected SiloAddress Silo => Activation.Runtime.Address;

    /// <summary>
    /// True when the call that created this activation minted the grain's id (<see cref="PlacementHints.NewGrainKey"/>):
    /// no state of it can exist yet, so <see cref="OnActivateAsync"/> need not look for any.
    /// </summary>
    protected bool IsNewGrain => Activation.IsNewGrain;

    internal ActivationData Activation =>
        _activation ?? throw new InvalidOperationException("Grain instances are created by the runtime, not with 'new'.");

    /// <summary>Runs before the first call (after rehydration when migrating). Throwing fails the activation.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs when the activation ends; <paramref name="cancellationToken"/> fires at the deactivation deadline.</summary>
    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deactivate once the current turn ends. The next call creates a fresh activation.</summary>
    protected void DeactivateOnIdle() => Activation.RequestDeactivation(DeactivationReason.ApplicationRequested, migrateTo: null, migrate: false);

    /// <summary>Migrate to another silo (placement chooses one unless <paramref name="target"/> is given) once the
    /// current turn ends, carrying state through <see cref="IGrainMigrationParticipant"/>.</summary>
    protected void MigrateOnIdle(SiloAddress? target = null) => Activation.RequestDeactivation(DeactivationReason.Migrating, target, migrate: true);

    /// <summary>A timer whose ticks run as turns of this activation. The next period starts when a tick ends.</summary>
    protected IGrainTimer RegisterGrainTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return RegisterGrainTimer(static (cb, ct) => cb(ct), callback, new GrainTimerCreationOptions { DueTime = dueTime, Period = period });
    }

    /// <summary>A timer whose ticks run as turns of this activation, with state and options.</summary>
    protected IGrainTimer RegisterGrainTimer<TState>(Func<TState, CancellationToken, Task> callback, TState state, GrainTimerCreationOptions options)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return Activation.RegisterTimer(ct => callback(state, ct), options);
    }

    /// <summary>Creates a grain instance bound to <paramref name="activation"/> (sets the ambient slot the constructor reads).</summary>
    internal static Grain Construct(ActivationData activation, Func<IServiceProvider, Grain> factory, IServiceProvider services)
    {
        var previous = t_constructing;
        t_constructing = activation;
        try
        {
            return factory(services);
        }
        finally
        {
            t_constructing = previous;
        }
    }
}
