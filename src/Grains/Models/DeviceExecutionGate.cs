using System.Diagnostics;

namespace Atelier.Grains.Models;

/// <summary>
/// Limits how many model runs execute at once on the device. Waiters are served interactive-first,
/// FIFO within a priority; a cancelled waiter leaves the queue.
/// </summary>
internal sealed class DeviceExecutionGate(int concurrency)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _interactive = new();
    private readonly LinkedList<Waiter> _batch = new();
    private int _running;

    /// <summary>Runs waiting for the device.</summary>
    public int QueueLength
    {
        get
        {
            lock (_lock)
            {
                return _interactive.Count + _batch.Count;
            }
        }
    }

    public async ValueTask<Releaser> EnterAsync(RunPriority priority, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (_running < concurrency && _interactive.Count == 0 && (priority == RunPriority.Interactive || _batch.Count == 0))
            {
                _running++;
                return new Releaser(this);
            }

            waiter = new Waiter();
            waiter.Node = (priority == RunPriority.Interactive ? _interactive : _batch).AddLast(waiter);
        }

        await using (cancellationToken.Register(() => Cancel(waiter, cancellationToken)))
        {
            await waiter.Completion.Task.ConfigureAwait(false);
        }

        return new Releaser(this);
    }

    private void Cancel(Waiter waiter, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (waiter.Node?.List is { } list)
            {
                list.Remove(waiter.Node);
                waiter.Completion.TrySetCanceled(cancellationToken);
            }
        }
    }

    private void Exit()
    {
        Waiter? next = null;
        lock (_lock)
        {
            var queue = _interactive.Count > 0 ? _interactive : _batch.Count > 0 ? _batch : null;
            if (queue is null)
            {
                _running--;
                Debug.Assert(_running >= 0);
                return;
            }

            next = queue.First!.Value;
            queue.RemoveFirst();
        }

        // The slot passes straight to the next waiter (_running unchanged).
        next.Completion.TrySetResult();
    }

    private sealed class Waiter
    {
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }
    }

    /// <summary>Gives the slot back when disposed.</summary>
    public readonly struct Releaser(DeviceExecutionGate gate) : IDisposable
    {
        public void Dispose() => gate.Exit();
    }
}
