namespace Atelier.Runtime;

/// <summary>Why an activation is being deactivated (passed to <see cref="Grain.OnDeactivateAsync"/>).</summary>
public enum DeactivationReason
{
    /// <summary>The grain called <see cref="Grain.DeactivateOnIdle"/>.</summary>
    ApplicationRequested,

    /// <summary>Idle for longer than its collection age.</summary>
    IdleCollection,

    /// <summary>The silo is shutting down.</summary>
    ShuttingDown,

    /// <summary>The activation is moving to another silo (dehydration follows).</summary>
    Migrating,

    /// <summary>Activation failed (<see cref="Grain.OnActivateAsync"/> threw).</summary>
    ActivationFailed,
}
