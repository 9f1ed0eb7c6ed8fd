namespace Atelier.Runtime;

/// <summary>The target silo cannot be reached, or is shutting down and no longer accepts calls.</summary>
public sealed class SiloUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SiloUnavailableException()
        : base("The silo is unavailable.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SiloUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public SiloUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// True when the transport knows the frame never reached the silo (connection refused, no connection): sending
    /// it again elsewhere is safe for any call. False when it may have been delivered.
    /// </summary>
    public bool NotDelivered { get; init; }
}
