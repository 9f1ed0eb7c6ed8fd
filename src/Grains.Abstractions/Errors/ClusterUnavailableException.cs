namespace Atelier.Grains;

/// <summary>
/// The cluster's shared store (Redis: membership, session store) cannot be reached right now, e.g. during a Redis
/// outage: the call needed it and may succeed when retried later. Sessions already active keep serving meanwhile.
/// Code <c>cluster_unavailable</c> (503 with Retry-After).
/// </summary>
[GenerateSerializer, Alias("atelier.cluster-unavailable-error")]
public sealed class ClusterUnavailableException : AtelierException
{
    public ClusterUnavailableException() { }

    public ClusterUnavailableException(string message) : base(message) { }

    public ClusterUnavailableException(string message, Exception innerException) : base(message, innerException) { }

    public override string Code => "cluster_unavailable";
}
