namespace Atelier.Silo.Security;

/// <summary>Who made a request: its tenant, and whether it used an admin key (or the API runs open).</summary>
internal sealed record TenantIdentity(string Tenant, bool IsAdmin)
{
    /// <summary>The identity the API-key middleware attached to the request.</summary>
    public static TenantIdentity Of(HttpContext context) =>
        context.Features.Get<TenantIdentity>()
        ?? throw new InvalidOperationException("The request passed no API-key check (route outside /v1?).");
}
