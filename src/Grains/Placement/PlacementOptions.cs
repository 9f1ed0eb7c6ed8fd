namespace Atelier.Grains.Placement;

/// <summary>Session placement. Configuration section <c>Placement</c>.</summary>
public sealed class PlacementOptions
{
    public const string SectionName = "Placement";

    /// <summary>
    /// Free device memory a silo must report to count as having room for a new session of a model it holds resident.
    /// Default: 16 MiB (16777216 bytes).
    /// </summary>
    public long MinFreeDeviceBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>How often each silo refreshes its view of every silo's device figures. Default: 1 second.</summary>
    public TimeSpan RefreshPeriod { get; set; } = TimeSpan.FromSeconds(1);
}
