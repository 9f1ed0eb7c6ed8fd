namespace Atelier.Runtime;

/// <summary>The activation's mailbox is full; the call was rejected without queueing. Retry later.</summary>
public sealed class GrainOverloadedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GrainOverloadedException()
        : base("The grain's mailbox is full.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public GrainOverloadedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public GrainOverloadedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
