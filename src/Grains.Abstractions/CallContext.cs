namespace Atelier.Grains;

/// <summary>
/// The values a request carries into grain calls through Orleans' <see cref="RequestContext"/> (they flow to the
/// session's silo with the call): the caller's tenant, an edit's idempotency key, and placement hints for a new session.
/// </summary>
public static class CallContext
{
    /// <summary>The tenant of the request; a session answers only its own tenant.</summary>
    public const string Tenant = "atelier.tenant";

    /// <summary>The client's idempotency key of an edit: a session applies one key once (see <see cref="IdempotentAttribute"/>).</summary>
    public const string IdempotencyKey = "atelier.idempotency-key";

    /// <summary>Placement hint: the segmenter a new session will use (placement prefers silos where it is resident).</summary>
    public const string Model = "atelier.placement.model";

    /// <summary>The id the ingress has just minted for a new session: no stored record of it can exist yet.</summary>
    public const string NewSession = "atelier.new-session";

    /// <summary>The string value of <paramref name="key"/> in the current request context, or null.</summary>
    public static string? Get(string key) => RequestContext.Get(key) as string;

    /// <summary>Sets <paramref name="key"/> for the current async flow and every grain call it makes.</summary>
    public static void Set(string key, string value) => RequestContext.Set(key, value);
}
