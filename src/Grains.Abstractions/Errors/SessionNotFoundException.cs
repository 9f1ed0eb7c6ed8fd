namespace Atelier.Grains;

/// <summary>The session does not exist, has expired or was closed (also answered for another tenant's session). Code <c>session_not_found</c>.</summary>
[GenerateSerializer, Alias("atelier.session-not-found-error")]
public sealed class SessionNotFoundException : AtelierException
{
    public SessionNotFoundException() { }

    public SessionNotFoundException(string message) : base(message) { }

    public SessionNotFoundException(string message, Exception innerException) : base(message, innerException) { }

    public override string Code => "session_not_found";
}
