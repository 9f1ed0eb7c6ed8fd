namespace Atelier.Cluster;

/// <summary>StackExchange.Redis 1.x takes no <see cref="CancellationToken"/>: callers stop waiting when theirs fires.</summary>
internal static class RedisTasks
{
    public static Task<T> WithCancellation<T>(this Task<T> task, CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled ? task.WaitAsync(cancellationToken) : task;

    public static Task WithCancellation(this Task task, CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled ? task.WaitAsync(cancellationToken) : task;
}
