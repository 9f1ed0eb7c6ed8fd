using StackExchange.Redis;

namespace Atelier.Grains.Storage;

/// <summary>Turns "Redis cannot be reached" into the typed <see cref="ClusterUnavailableException"/> (503 cluster_unavailable).</summary>
internal static class RedisFailures
{
    /// <summary>Whether <paramref name="exception"/> means Redis is unreachable (not a script or data error).</summary>
    public static bool IsOutage(Exception exception) =>
        exception is RedisConnectionException or RedisTimeoutException or ClusterUnavailableException;

    public static async Task<T> OrUnavailable<T>(this Task<T> task, string what)
    {
        try
        {
            return await task.ConfigureAwait(false);
        }
        catch (Exception exception) when (IsOutage(exception))
        {
            throw new ClusterUnavailableException($"Redis is unreachable ({what}): {exception.Message}", exception);
        }
    }

    public static async Task OrUnavailable(this Task task, string what)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception exception) when (IsOutage(exception))
        {
            throw new ClusterUnavailableException($"Redis is unreachable ({what}): {exception.Message}", exception);
        }
    }
}
