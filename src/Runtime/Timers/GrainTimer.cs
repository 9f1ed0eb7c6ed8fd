namespace Atelier.Runtime;

/// <summary>
/// A grain timer: the <see cref="TimeProvider"/> timer only queues a tick; the tick runs as a turn of the
/// activation (or interleaved, if asked). The next due time is set when a tick ends, so ticks never pile up.
/// </summary>
internal sealed class GrainTimer : IGrainTimer
{
    private readonly ActivationData _activation;
    private readonly Func<CancellationToken, Task> _callback;
    private readonly CancellationTokenSource _disposed = new();
    private readonly ITimer _timer;
    private readonly bool _interleave;
    private readonly bool _keepAlive;
    private TimeSpan _dueTime;
    private TimeSpan _period;
    private int _tickQueued;

    public GrainTimer(ActivationData activation, Func<CancellationToken, Task> callback, GrainTimerCreationOptions options)
    {
        _activation = activation;
        _callback = callback;
        _interleave = options.Interleave;
        _keepAlive = options.KeepAlive;
        _dueTime = options.DueTime;
        _period = options.Period;
        _timer = activation.Runtime.Time.CreateTimer(static s => ((GrainTimer)s!).OnFire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public void Start() => _timer.Change(_dueTime, Timeout.InfiniteTimeSpan);

    public void Change(TimeSpan dueTime, TimeSpan period)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        _dueTime = dueTime;
        _period = period;
        _timer.Change(dueTime, Timeout.InfiniteTimeSpan);
    }

    public async Task TickAsync()
    {
        Volatile.Write(ref _tickQueued, 0);
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        RequestContext.Current = null;
        try
        {
            await _callback(_disposed.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A failing tick is logged; the timer keeps its schedule.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            SiloRuntime.Log.TimerTickFailed(_activation.Runtime.Logger, exception, _activation.GrainId);
        }
        finally
        {
            if (_keepAlive)
            {
                _activation.Touch();
            }

            if (!_disposed.IsCancellationRequested && _period != Timeout.InfiniteTimeSpan)
            {
                try
                {
                    _timer.Change(_period, Timeout.InfiniteTimeSpan);
                }
                catch (ObjectDisposedException)
                {
                    // disposed concurrently
                }
            }
        }
    }

    public void Dispose()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        _disposed.Cancel();
        _timer.Dispose();
        _activation.RemoveTimer(this);
    }

    private void OnFire()
    {
        if (_disposed.IsCancellationRequested || Interlocked.Exchange(ref _tickQueued, 1) == 1)
        {
            return;
        }

        if (_interleave)
        {
            _ = _activation.RunTimerInterleavedAsync(this);
        }
        else if (!_activation.EnqueueTimerTick(this))
        {
            Volatile.Write(ref _tickQueued, 0);
        }
    }
}
