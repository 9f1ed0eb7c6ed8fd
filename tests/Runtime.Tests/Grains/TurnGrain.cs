namespace Atelier.Runtime.Tests.Grains;

public interface ITurnGrain : IGrainWithStringKey
{
    Task<int> Exclusive();

    Task<int> MaxConcurrency();

    Task Append(int value);

    Task<int[]> Sequence();

    [ReadOnly]
    Task ReadTogether();

    [ReadOnly]
    Task ReadBlocked();

    Task<int> WriteObservingReaders();

    Task Block();

    [AlwaysInterleave]
    Task<string> Ping();

    ValueTask<int> Echo(int value);
}

internal sealed class TurnGrain(Probe probe) : Grain, ITurnGrain
{
    private readonly List<int> _sequence = [];
    private int _inside;
    private int _max;
    private int _count;
    private int _readersInside;

    public async Task<int> Exclusive()
    {
        var inside = Interlocked.Increment(ref _inside);
        _max = Math.Max(_max, inside);
        await Task.Yield();
        await Task.Delay(1);
        Interlocked.Decrement(ref _inside);
        return ++_count;
    }

    public Task<int> MaxConcurrency() => Task.FromResult(_max);

    public Task Append(int value)
    {
        _sequence.Add(value);
        return Task.CompletedTask;
    }

    public Task<int[]> Sequence() => Task.FromResult(_sequence.ToArray());

    public async Task ReadTogether()
    {
        if (Interlocked.Increment(ref _readersInside) == 2)
        {
            probe.BothReadersInside.TrySetResult();
        }

        // Completes only if a second read-only call is inside at the same time.
        await probe.BothReadersInside.Task;
        Interlocked.Decrement(ref _readersInside);
    }

    public async Task ReadBlocked()
    {
        Interlocked.Increment(ref _readersInside);
        probe.Entered.TrySetResult();
        await probe.Gate.Task;
        Interlocked.Decrement(ref _readersInside);
    }

    public Task<int> WriteObservingReaders() => Task.FromResult(Volatile.Read(ref _readersInside));

    public async Task Block()
    {
        probe.Entered.TrySetResult();
        await probe.Gate.Task;
    }

    public Task<string> Ping() => Task.FromResult("pong");

    public ValueTask<int> Echo(int value) => ValueTask.FromResult(value);
}
