namespace Atelier.Grains;

/// <summary>
/// The session's stored record was written by another silo since this silo's copy of it was read: another activation
/// owns the session now (this silo was declared dead while it still ran). The edit was not applied; this copy is
/// dropped, and the call may be sent again (it reaches the current owner). Code <c>session_moved</c> (503 with Retry-After).
/// </summary>
[GenerateSerializer, Alias("atelier.session-moved-error")]
public sealed class SessionMovedException : AtelierException
{
    public SessionMovedException() { }

    public SessionMovedException(string message) : base(message) { }

    public SessionMovedException(string message, Exception innerException) : base(message, innerException) { }

    public override string Code => "session_moved";
}
