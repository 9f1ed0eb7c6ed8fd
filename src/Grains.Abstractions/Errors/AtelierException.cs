namespace Atelier.Grains;

/// <summary>
/// Base of the product's typed errors. Each subclass has one stable <see cref="Code"/> (the API's
/// ProblemDetails <c>code</c>) and is <c>[GenerateSerializer]</c>, so Orleans rebuilds it on the calling silo
/// with its type intact.
/// </summary>
[GenerateSerializer]
public abstract class AtelierException : Exception
{
    protected AtelierException() { }

    protected AtelierException(string message) : base(message) { }

    protected AtelierException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The silo that raised the error (the session's owner), set on its way out of the grain call.</summary>
    [Id(0)]
    public string? Silo { get; set; }

    /// <summary>Stable machine-readable error code, e.g. <c>session_not_found</c>.</summary>
    public abstract string Code { get; }
}
