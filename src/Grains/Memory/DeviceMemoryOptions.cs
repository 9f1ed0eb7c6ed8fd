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
    /// Bytes of device memory Atelier may use for loaded models and cached session tensors together.
    /// Default: 4096 MiB. On CPU the "device" is host memory. <see cref="MemoryBudgetMB"/> overrides it.
    /// </summary>
    public long MemoryBudgetBytes { get; set; } = 4096L << 20;

    /// <summary>The device budget in MiB (<c>Device:MemoryBudgetMB</c>); when set it wins over <see cref="MemoryBudgetBytes"/>.</summary>
    public long? MemoryBudgetMB { get; set; }

    /// <summary>
    /// Bytes of host memory for session tensors demoted from the device; beyond it demoted tensors are
    /// dropped and recomputed on next use. Default: 2048 MiB. <see cref="HostBudgetMB"/> overrides it.
    /// </summary>
    public long HostBudgetBytes { get; set; } = 2048L << 20;

    /// <summary>The host budget in MiB (<c>Device:HostBudgetMB</c>); when set it wins over <see cref="HostBudgetBytes"/>.</summary>
    public long? HostBudgetMB { get; set; }

    /// <summary>The device budget in effect, in bytes.</summary>
    public long EffectiveDeviceBudget => MemoryBudgetMB is { } mb ? mb << 20 : MemoryBudgetBytes;

    /// <summary>The host budget in effect, in bytes.</summary>
    public long EffectiveHostBudget => HostBudgetMB is { } mb ? mb << 20 : HostBudgetBytes;

    /// <summary>What is given up first under pressure. Default: <see cref="EvictionOrder.SessionTensorsFirst"/>.</summary>
    public EvictionOrder EvictionOrder { get; set; } = EvictionOrder.SessionTensorsFirst;
}
