namespace Atelier.Runtime;

/// <summary>
/// Response timeouts for the calls a silo is waiting on, without a timer per call: every call gets the same timeout,
/// so deadlines grow in send order and an intrusive linked list (the links live in <see cref="CallWorkItem"/>) is
/// sorted by deadline. Completion unlinks a call in O(1); a periodic sweep fails expired calls from the head with
/// <see cref="TimeoutException"/>. A call therefore times out between the timeout and the timeout plus one sweep period.
/// </summary>
internal sealed class CallTimeouts(TimeProvider time, TimeSpan timeout)
{
    private readonly Lock _lock = new();
    private readonly long _timeoutTicks = (long)(timeout.TotalSeconds * time.TimestampFrequency);
    private CallWorkItem? _head;
    private CallWorkItem? _tail;

    /// <summary>How often <see cref="Sweep"/> should run: a tenth of the timeout, between 10 ms and 1 s.</summary>
    public TimeSpan SweepPeriod { get; } = TimeSpan.FromTicks(Math.Clamp(timeout.Ticks / 10, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond));

    public void Track(CallWorkItem call)
    {
        call.Deadline = time.GetTimestamp() + _timeoutTicks;
        lock (_lock)
        {
            call.Timeouts = this;
            call.TimeoutPrevious = _tail;
            if (_tail is null)
            {
                _head = call;
            }
            else
            {
                _tail.TimeoutNext = call;
            }

            _tail = call;
        }
    }

    public void Remove(CallWorkItem call)
    {
        lock (_lock)
        {
            Unlink(call);
        }
    }

    public void Sweep()
    {
        var now = time.GetTimestamp();
        List<CallWorkItem>? expired = null;
        lock (_lock)
        {
            while (_head is { } head && head.Deadline <= now)
            {
                Unlink(head);
                (expired ??= []).Add(head);
            }
        }

        if (expired is null)
        {
            return;
        }

        foreach (var call in expired)
        {
            call.Fail(new TimeoutException($"Call {call.Method.Method.Name} to {call.GrainId} timed out after {timeout}."));
        }
    }

    private void Unlink(CallWorkItem call)
    {
        if (call.Timeouts is null)
        {
            return; // already removed
        }

        if (call.TimeoutPrevious is { } previous)
        {
            previous.TimeoutNext = call.TimeoutNext;
        }
        else
        {
            _head = call.TimeoutNext;
        }

        if (call.TimeoutNext is { } next)
        {
            next.TimeoutPrevious = call.TimeoutPrevious;
        }
        else
        {
            _tail = call.TimeoutPrevious;
        }

        call.Timeouts = null;
        call.TimeoutPrevious = null;
        call.TimeoutNext = null;
    }
}
