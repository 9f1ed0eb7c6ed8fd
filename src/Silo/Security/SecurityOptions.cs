namespace Atelier.Silo.Security;

/// <summary>API keys and the per-tenant rate limit. Configuration section <c>Security</c>.</summary>
/// <remarks>
/// With no <see cref="ApiKeys"/> and no <see cref="AdminKeys"/> the API runs open (development mode): every
/// request acts as <see cref="DevelopmentTenant"/> with admin rights, and a warning is logged at start.
/// </remarks>
public sealed class SecurityOptions
{
    public const string SectionName = "Security";

    /// <summary>Tenant keys: each key acts as its tenant. Default: none.</summary>
    public IList<ApiKeyOptions> ApiKeys { get; } = [];

    /// <summary>Admin keys: may register and delete any model; act as tenant <see cref="AdminTenant"/>. Default: none.</summary>
    public IList<string> AdminKeys { get; } = [];

    /// <summary>Tenant of requests made with an admin key. Default: <c>admin</c>.</summary>
    public string AdminTenant { get; set; } = "admin";

    /// <summary>Tenant of every request in development mode (no keys configured). Default: <c>default</c>.</summary>
    public string DevelopmentTenant { get; set; } = "default";

    /// <summary>Requests per second each tenant may make on average (token bucket refill); 0 disables the limit. Default: 50.</summary>
    public int RatePerSecond { get; set; } = 50;

    /// <summary>Requests a tenant may make in a burst (token bucket size). Default: 100.</summary>
    public int RateBurst { get; set; } = 100;

    /// <summary>True when no key of any kind is configured.</summary>
    public bool IsOpen => ApiKeys.Count == 0 && AdminKeys.Count == 0;
}

/// <summary>One tenant API key.</summary>
public sealed class ApiKeyOptions
{
    /// <summary>The secret (at least 16 characters). Never logged.</summary>
    public string Key { get; set; } = "";

    /// <summary>The tenant the key acts as (letters, digits, <c>-</c>, <c>_</c>, <c>.</c>).</summary>
    public string Tenant { get; set; } = "";
}
