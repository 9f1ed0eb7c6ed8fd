namespace Atelier.Grains;

/// <summary>No capacity right now (device memory, queues); retry after a short wait. Code <c>overloaded</c>.</summary>
[GenerateSerializer, Alias("atelier.overloaded-error")]
public sealed class OverloadedException : AtelierException
{
    public OverloadedException() { }

    public OverloadedException(string message) : base(message) { }

    public OverloadedException(string message, Exception innerException) : base(message, innerException) { }

    public override string Code => "overloaded";
}
