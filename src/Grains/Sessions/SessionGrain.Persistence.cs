using Atelier.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace Atelier.Grains.Sessions;

/// <summary>
/// Write-through of the session record to <see cref="ISessionStore"/>, tolerant of a store outage: the activation
/// holds the whole record in memory, so while Redis is unreachable a write is kept pending and retried on a timer
/// (<see cref="SessionCacheOptions.StoreRetryPeriod"/>) instead of failing an open or an edit that has already been
/// applied. What a pending write cannot survive is the loss of this silo before the store is back.
/// </summary>
internal sealed partial class SessionGrain
{
    private IGrainTimer? _storeRetryTimer;

    /// <summary>Whether the store lacks the latest record (its write failed with the store unreachable).</summary>
    private bool StorePending => _storeRetryTimer is not null;

    /// <summary>
    /// Writes <see cref="_record"/>; when the store is unreachable, keeps it pending and retries on a timer. When another
    /// activation of this session wrote since this one read the record (this silo was declared dead while it still ran,
    /// and the session re-activated elsewhere), this copy is stale: it is dropped, nothing of it is persisted, and the
    /// caller gets <see cref="SessionMovedException"/> (its call, sent again, reaches the current owner).
    /// </summary>
    private async Task PersistAsync(CancellationToken cancellationToken)
    {
        try
        {
            var revision = await store.SaveAsync(_record!, cancellationToken);
            _record = _record! with { Revision = revision };
            StopStoreRetry();
        }
        catch (SessionStoreConflictException e)
        {
            LogStoreConflict(logger, Id);
            ReleaseAll();
            _record = null;
            _history = null;
            _storeRead = false;
            DeactivateOnIdle();
            throw new SessionMovedException($"Session '{Id}' moved to another silo; send the request again.", e);
        }
        catch (ClusterUnavailableException e)
        {
            if (!StorePending)
            {
                LogStoreWriteDeferred(logger, e, Id);
                var period = cacheOptions.Value.StoreRetryPeriod;
                _storeRetryTimer = this.RegisterGrainTimer(RetryStoreWriteAsync, period, period);
            }
        }
    }

    private async Task RetryStoreWriteAsync(CancellationToken cancellationToken)
    {
        if (_record is null || _closed)
        {
            StopStoreRetry();
            return;
        }

        await PersistAsync(cancellationToken); // still unreachable: the timer stays, the next tick tries again
        if (!StorePending)
        {
            LogStoreWriteRecovered(logger, Id);
        }
    }

    private void StopStoreRetry()
    {
        _storeRetryTimer?.Dispose();
        _storeRetryTimer = null;
    }

    [LoggerMessage(EventId = 220, Level = LogLevel.Warning, Message = "Session {SessionId}: the session store is unreachable; the record stays in memory and is written when it is back.")]
    private static partial void LogStoreWriteDeferred(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(EventId = 222, Level = LogLevel.Warning, Message = "Session {SessionId}: another silo wrote the session since this copy was read; this copy is dropped.")]
    private static partial void LogStoreConflict(ILogger logger, string sessionId);

    [LoggerMessage(EventId = 221, Level = LogLevel.Information, Message = "Session {SessionId}: the pending record was written to the session store.")]
    private static partial void LogStoreWriteRecovered(ILogger logger, string sessionId);
}
