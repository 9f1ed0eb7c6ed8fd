using Atelier.Silo.Errors;

namespace Atelier.Silo.Security;

/// <summary>
/// Authenticates every <c>/v1</c> and <c>/v2</c> (KServe, health probes excepted) request by <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key</c>,
/// attaches its <see cref="TenantIdentity"/>, and applies the tenant's rate limit. The Orleans dashboard
/// (<c>/dashboard</c>) is admin-only when API keys are configured. Operations routes (<c>/healthz</c>,
/// <c>/readyz</c>, <c>/openapi</c>) are not gated.
/// </summary>
internal sealed partial class ApiKeyMiddleware(RequestDelegate next, ApiKeyStore keys, TenantRateLimiter limiter, ILogger<ApiKeyMiddleware> logger)
{
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>Where the Orleans dashboard is mounted.</summary>
    public const string DashboardPath = "/dashboard";

    public async Task InvokeAsync(HttpContext context)
    {
        var dashboard = context.Request.Path.StartsWithSegments(DashboardPath, StringComparison.Ordinal);
        if (!dashboard && !IsApiPath(context.Request.Path))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        TenantIdentity? identity;
        if (keys.IsOpen)
        {
            identity = keys.DevelopmentIdentity;
        }
        else
        {
            var presented = Presented(context.Request);
            identity = presented.IsEmpty ? null : keys.Find(presented);
            if (identity is null)
            {
                LogRejected(logger, context.Request.Method, context.Request.Path, presented.IsEmpty ? "missing" : "unknown");
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, "Unauthorized",
                    presented.IsEmpty
                        ? "An API key is required: 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'."
                        : "The API key is not valid.").ConfigureAwait(false);
                return;
            }
        }

        if (dashboard && !identity.IsAdmin)
        {
            await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "Forbidden",
                "The cluster dashboard needs an admin API key.").ConfigureAwait(false);
            return;
        }

        var retryAfter = limiter.TryAcquire(identity.Tenant);
        if (retryAfter is { } wait)
        {
            LogRateLimited(logger, identity.Tenant);
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Problems.WriteAsync(context, StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited, "Too many requests",
                $"The request rate of this tenant is over its limit; retry after {seconds} s.").ConfigureAwait(false);
            return;
        }

        context.Features.Set(identity);
        await next(context).ConfigureAwait(false);
    }

    /// <summary><c>/v1</c>, and the KServe v2 surface <c>/v2</c> except its health probes.</summary>
    private static bool IsApiPath(PathString path) =>
        path.StartsWithSegments("/v1", StringComparison.Ordinal)
        || (path.StartsWithSegments("/v2", StringComparison.Ordinal) && !path.StartsWithSegments("/v2/health", StringComparison.Ordinal));

    /// <summary>The key a request presents (<c>Authorization: Bearer</c>, else <c>X-Api-Key</c>); empty when none. gRPC metadata are these headers too.</summary>
    internal static ReadOnlySpan<char> Presented(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString().AsSpan().Trim();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        return request.Headers[ApiKeyHeader].ToString().AsSpan().Trim();
    }

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Rejected {Method} {Path}: {Reason} API key")]
    private static partial void LogRejected(ILogger logger, string method, string path, string reason);

    [LoggerMessage(EventId = 429, Level = LogLevel.Information, Message = "Tenant {Tenant} is over its request rate")]
    private static partial void LogRateLimited(ILogger logger, string tenant);
}
