using System.Diagnostics;

namespace Atelier.Grains.Models;

/// <summary>
/// Collects requests for one model operation into batches, like Triton's dynamic batcher: up to <c>maxInFlight</c>
/// batches run at once (Triton's instance count; requests that arrive while they run wait and form the next ones); a
/// batch takes up to <c>maxBatch</c> requests and, while fewer are waiting, waits at most <c>queueDelay</c> after its
/// oldest request arrived for more. A request cancelled while it waits leaves the queue; once its batch runs it
/// completes with the batch. A batch that fails is run again one request at a time, so a bad request fails alone.
/// </summary>
/// <typeparam name="TItem">One request.</typeparam>
/// <typeparam name="TResult">One request's answer.</typeparam>
internal sealed class DynamicBatcher<TItem, TResult>
{
    private readonly Lock _lock = new();
    private readonly Queue<Waiting> _queue = new();
    private readonly int _maxBatch;
    private readonly TimeSpan _queueDelay;
    private readonly TimeProvider _time;
    private readonly Func<IReadOnlyList<TItem>, Task<TResult[]>> _run;
    private readonly SemaphoreSlim _inFlight;
    private TaskCompletionSource? _filled;
    private bool _draining;

    /// <param name="run">Runs one batch; returns one result per item, in order.</param>
    public DynamicBatcher(int maxBatch, int maxInFlight, TimeSpan queueDelay, TimeProvider time, Func<IReadOnlyList<TItem>, Task<TResult[]>> run)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        _inFlight = new SemaphoreSlim(maxInFlight, maxInFlight);
        ArgumentOutOfRangeException.ThrowIfLessThan(queueDelay, TimeSpan.Zero);
        _maxBatch = maxBatch;
        _queueDelay = queueDelay;
        _time = time;
        _run = run;
    }

    /// <summary>Queues <paramref name="item"/> and completes with its result when its batch has run.</summary>
    public Task<TResult> SubmitAsync(TItem item, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var waiting = new Waiting(item, _time.GetTimestamp());
        if (cancellationToken.CanBeCanceled)
        {
            // Cancelling a waiting request completes its task; the batch skips completed requests.
            waiting.Cancellation = cancellationToken.Register(static (state, token) => ((Waiting)state!).Result.TrySetCanceled(token), waiting);
        }

        bool start;
        lock (_lock)
        {
            _queue.Enqueue(waiting);
            if (_queue.Count >= _maxBatch)
            {
                _filled?.TrySetResult();
            }

            start = !_draining;
            _draining = true;
        }

        if (start)
        {
            _ = Task.Run(DrainAsync, CancellationToken.None);
        }

        return waiting.Result.Task;
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            await _inFlight.WaitAsync().ConfigureAwait(false);
            await WaitForBatchAsync().ConfigureAwait(false);
            var batch = new List<Waiting>(_maxBatch);
            lock (_lock)
            {
                while (batch.Count < _maxBatch && _queue.TryDequeue(out var next))
                {
                    if (!next.Result.Task.IsCompleted)
                    {
                        batch.Add(next);
                    }
                }

                if (batch.Count == 0)
                {
                    _inFlight.Release();
                    if (_queue.Count == 0)
                    {
                        _draining = false;
                        return;
                    }

                    continue;
                }
            }

            _ = RunAsync(batch);
        }
    }

    /// <summary>Waits until a full batch is queued or the oldest waiting request has waited the queue delay.</summary>
    private async Task WaitForBatchAsync()
    {
        if (_queueDelay == TimeSpan.Zero)
        {
            return;
        }

        Task filled;
        TimeSpan remaining;
        lock (_lock)
        {
            if (_queue.Count >= _maxBatch || !_queue.TryPeek(out var oldest))
            {
                return;
            }

            remaining = _queueDelay - _time.GetElapsedTime(oldest.Arrived);
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            _filled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            filled = _filled.Task;
        }

        using var timeout = new CancellationTokenSource(remaining, _time);
        await Task.WhenAny(filled, Task.Delay(Timeout.InfiniteTimeSpan, timeout.Token)).ConfigureAwait(false);
        lock (_lock)
        {
            _filled = null;
        }
    }

    /// <summary>Runs one batch and frees its place among the batches in flight.</summary>
    private async Task RunAsync(List<Waiting> batch)
    {
        foreach (var waiting in batch)
        {
            waiting.Cancellation.Dispose();
        }

        try
        {
            await RunBatchAsync(batch).ConfigureAwait(false);
        }
        finally
        {
            _inFlight.Release();
        }
    }

    private async Task RunBatchAsync(List<Waiting> batch)
    {
        try
        {
            var results = await _run([.. batch.Select(w => w.Item)]).ConfigureAwait(false);
            Debug.Assert(results.Length == batch.Count, "one result per item");
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Result.TrySetResult(results[i]);
            }
        }
        catch (Exception) when (batch.Count > 1)
        {
            // One bad request must not fail its neighbours: run each alone so the error reaches only its own caller.
            foreach (var waiting in batch)
            {
                try
                {
                    waiting.Result.TrySetResult((await _run([waiting.Item]).ConfigureAwait(false))[0]);
                }
                catch (Exception single)
                {
                    waiting.Result.TrySetException(single);
                }
            }
        }
        catch (Exception e)
        {
            batch[0].Result.TrySetException(e);
        }
    }

    private sealed class Waiting(TItem item, long arrived)
    {
        public TItem Item { get; } = item;

        public long Arrived { get; } = arrived;

        public TaskCompletionSource<TResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Cancellation { get; set; }
    }
}
