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

    /// <summary>
    /// Largest batch the dynamic batcher forms, whatever a manifest's <c>maxBatch</c> says (1 turns batching off).
    /// Default: 64.
    /// </summary>
    public int MaxBatch { get; set; } = 64;

    /// <summary>
    /// How long a batch waits after its oldest request arrived for more requests while fewer than its model's
    /// <c>maxBatch</c> are waiting (Triton's <c>max_queue_delay</c>). Requests that arrive while a batch runs form
    /// the next one whatever this says. Default: 0 (no added wait); at most 100 ms.
    /// </summary>
    public TimeSpan BatchQueueDelay { get; set; } = TimeSpan.Zero;
}
