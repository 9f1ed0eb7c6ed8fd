namespace Atelier.Runtime;

/// <summary>
/// Internal routing signal: the activation a call reached is gone (deactivated, migrated, lost its registration race).
/// The caller re-resolves, starting with <see cref="Forward"/> when known. Never surfaces to grain code unless the
/// forward limit is exhausted.
/// </summary>
internal sealed class ActivationUnavailableException(GrainAddress? forward)
    : Exception(forward is null ? "The activation is no longer available." : $"The grain moved to silo {forward.Silo}.")
{
    public GrainAddress? Forward { get; } = forward;
}
