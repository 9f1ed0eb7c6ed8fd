namespace Atelier.Runtime;

/// <summary>
/// The cluster's shared state (membership, directory, session store) cannot be reached right now, e.g. during a
/// Redis outage: the call needed it (an owner not known locally, a store write) and may succeed when retried later.
/// Activations this silo already knows keep serving meanwhile.
/// </summary>
public sealed class ClusterUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ClusterUnavailableException()
        : base("The cluster store is unavailable.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ClusterUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public ClusterUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
