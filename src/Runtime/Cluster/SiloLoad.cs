namespace Atelier.Runtime;

/// <summary>
/// A silo's load as published to membership and read by placement directors.
/// The runtime fills <see cref="Activations"/> and <see cref="QueueLength"/>; an <see cref="ISiloLoadSource"/>
/// from the product adds device memory and resident models.
/// </summary>
public sealed record SiloLoad(SiloAddress Silo)
{
    /// <summary>Live activations on the silo (sessions and others).</summary>
    public int Activations { get; init; }

    /// <summary>Calls waiting in mailboxes on the silo.</summary>
    public int QueueLength { get; init; }

    /// <summary>Device memory in use, in bytes (0 when unknown).</summary>
    public long DeviceBytesUsed { get; init; }

    /// <summary>Device memory budget, in bytes (0 when unknown).</summary>
    public long DeviceBytesBudget { get; init; }

    /// <summary>Host (pinned CPU) memory in use for demoted session tensors, in bytes (0 when unknown).</summary>
    public long HostBytesUsed { get; init; }

    /// <summary>Host memory budget for demoted session tensors, in bytes (0 when unknown).</summary>
    public long HostBytesBudget { get; init; }

    /// <summary>Open sessions on the silo (0 when the silo hosts none or does not know).</summary>
    public int Sessions { get; init; }

    /// <summary>Names of models resident on the silo's device.</summary>
    public IReadOnlyList<string> ResidentModels { get; init; } = [];

    /// <summary>Free device bytes: budget minus used, never negative; 0 when the budget is unknown.</summary>
    public long FreeDeviceBytes => Math.Max(0, DeviceBytesBudget - DeviceBytesUsed);
}
