namespace Atelier.Grains.Models;

/// <summary>Model execution on this silo. Configuration section <c>Models:Host</c>.</summary>
public sealed class ModelHostOptions
{
    public const string SectionName = "Models:Host";

    /// <summary>Models loaded at start and never evicted. Default: none.</summary>
    public IList<string> Pinned { get; } = [];

    /// <summary>Model runs executing at once on the device; more wait in priority order. Default: 2.</summary>
    public int MaxConcurrentRuns { get; set; } = 2;

    /// <summary>Runs waiting per model before new ones are refused with <c>overloaded</c>. Default: 64.</summary>
    public int MaxQueuedRunsPerModel { get; set; } = 64;
}
