namespace Atelier.Runtime;

/// <summary>A timer registered by a grain; dispose it to stop. Disposed automatically on deactivation.</summary>
public interface IGrainTimer : IDisposable
{
    /// <summary>Changes the due time and period.</summary>
    void Change(TimeSpan dueTime, TimeSpan period);
}
