namespace Atelier.Grains;

/// <summary>
/// Receives the step progress of a replace (<see cref="ISessionGrain.ReplaceObserved"/>). The session awaits each call,
/// so every report arrives before the replace answers; an observer that does not answer within a few seconds stops
/// getting reports (the replace goes on).
/// </summary>
[Alias("atelier.replace-observer")]
public interface IReplaceObserver : IGrainObserver
{
    [Alias("progress")]
    Task OnProgress(ReplaceProgress progress);
}
