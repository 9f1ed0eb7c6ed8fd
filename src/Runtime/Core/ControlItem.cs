namespace Atelier.Runtime;

/// <summary>What a <see cref="ControlItem"/> asks an activation to do as a turn of its own.</summary>
internal enum ControlKind
{
    /// <summary>Deactivate if still idle when the item is reached.</summary>
    Collect,

    /// <summary>Deactivate because the silo stops.</summary>
    Shutdown,

    /// <summary>Migrate to <see cref="ControlItem.Target"/> (or a placed silo).</summary>
    Migrate,

    /// <summary>Nothing: makes the loop look at a deactivation requested outside an exclusive turn.</summary>
    Wake,

    /// <summary>The cluster's shared storage was lost: let the grain write its state back (<see cref="IGrainStorageRecoveryParticipant"/>).</summary>
    StorageLost,
}

/// <summary>A lifecycle request queued behind the calls already in the mailbox (not counted against its capacity).</summary>
internal sealed class ControlItem(ControlKind kind, SiloAddress? target = null)
    : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public ControlKind Kind { get; } = kind;

    public SiloAddress? Target { get; } = target;
}
