namespace Atelier.Runtime;

/// <summary>How a grain timer ticks.</summary>
public readonly record struct GrainTimerCreationOptions
{
    /// <summary>Delay before the first tick.</summary>
    public TimeSpan DueTime { get; init; }

    /// <summary>Delay between the end of one tick and the start of the next; <see cref="Timeout.InfiniteTimeSpan"/> for one tick.</summary>
    public TimeSpan Period { get; init; }

    /// <summary>Ticks may interleave with calls (default false: a tick is a turn like any call).</summary>
    public bool Interleave { get; init; }

    /// <summary>Ticks count as activity, keeping the activation from idle collection (default false).</summary>
    public bool KeepAlive { get; init; }
}
