namespace Atelier.Silo.Hosting;

/// <summary>Identity and endpoints of this silo. Configuration section <c>Silo</c>.</summary>
public sealed class SiloOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Silo";

    /// <summary>Listening address used when neither <c>Urls</c> nor <c>Kestrel</c> endpoints are configured.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>Name of this silo, shown in <c>X-Atelier-Silo</c> and the cluster view. Default: the machine name.</summary>
    public string Name { get; set; } = Environment.MachineName;

    /// <summary>Execution device for models: <c>cpu</c> (default) or <c>cuda</c>.</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>Cluster mode: <c>embedded</c> (default: single silo, in-memory directory and store) or <c>redis</c>.</summary>
    public string Mode { get; set; } = "embedded";

    /// <summary>Seconds in-flight requests get to finish after a shutdown signal. Default: 30.</summary>
    public int ShutdownTimeoutSeconds { get; set; } = 30;
}
