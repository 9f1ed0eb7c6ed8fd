namespace Atelier.Grains.Memory;

/// <summary>Which kind of resident item is given up first when the device budget is tight.</summary>
public enum EvictionOrder
{
    /// <summary>Demote/drop least recently used session tensors before unloading any model. Default.</summary>
    SessionTensorsFirst,

    /// <summary>Unload least recently used models before touching session tensors.</summary>
    ModelsFirst,

    /// <summary>Strict least recently used across models and session tensors.</summary>
    LeastRecentlyUsed,
}

/// <summary>The silo's device memory budget. Configuration section <c>Device</c>.</summary>
public sealed class DeviceMemoryOptions
{
    public const string SectionName = "Device";

    /// <summary>
    /// Bytes of device memory Atelier may use for loaded models and cached session tensors together
    /// (<c>Device:MemoryBudgetMB</c> sets it in MiB). Default: 4096 MiB. On CPU the "device" is host memory.
    /// </summary>
    public long MemoryBudgetBytes { get; set; } = 4096L << 20;

    /// <summary>Budget in MiB; convenience for configuration.</summary>
    public long MemoryBudgetMB
    {
        get => MemoryBudgetBytes >> 20;
        set => MemoryBudgetBytes = value << 20;
    }

    /// <summary>
    /// Bytes of host memory for session tensors demoted from the device (<c>Device:HostBudgetMB</c> in MiB).
    /// Beyond it demoted tensors are dropped and recomputed on next use. Default: 2048 MiB.
    /// </summary>
    public long HostBudgetBytes { get; set; } = 2048L << 20;

    /// <summary>Host budget in MiB; convenience for configuration.</summary>
    public long HostBudgetMB
    {
        get => HostBudgetBytes >> 20;
        set => HostBudgetBytes = value << 20;
    }

    /// <summary>What is given up first under pressure. Default: <see cref="EvictionOrder.SessionTensorsFirst"/>.</summary>
    public EvictionOrder EvictionOrder { get; set; } = EvictionOrder.SessionTensorsFirst;
}
