using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Atelier.Silo.Security;

/// <summary>A token bucket per tenant (<see cref="PartitionedRateLimiter"/>); requests over the rate are refused, not queued.</summary>
internal sealed class TenantRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _limiter;

    public TenantRateLimiter(IOptions<SecurityOptions> options)
    {
        var security = options.Value;
        if (security.RatePerSecond <= 0)
        {
            return;
        }

        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, security.RateBurst),
            TokensPerPeriod = security.RatePerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        _limiter = PartitionedRateLimiter.Create<string, string>(
            tenant => RateLimitPartition.GetTokenBucketLimiter(tenant, _ => bucket),
            StringComparer.Ordinal);
    }

    /// <summary>Null when the request may proceed; otherwise how long the tenant should wait.</summary>
    public TimeSpan? TryAcquire(string tenant)
    {
        if (_limiter is null)
        {
            return null;
        }

        using var lease = _limiter.AttemptAcquire(tenant);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
    }

    public void Dispose() => _limiter?.Dispose();
}
