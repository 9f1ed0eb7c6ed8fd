namespace Atelier.Runtime;

/// <summary>Lifecycle of one activation.</summary>
internal enum ActivationState
{
    /// <summary>Registering in the directory and running <see cref="Grain.OnActivateAsync"/>; calls queue.</summary>
    Activating,

    /// <summary>Processing turns.</summary>
    Valid,

    /// <summary>Running <see cref="Grain.OnDeactivateAsync"/> or migrating; new calls are routed elsewhere.</summary>
    Deactivating,

    /// <summary>Gone; queued calls were re-routed.</summary>
    Invalid,
}
