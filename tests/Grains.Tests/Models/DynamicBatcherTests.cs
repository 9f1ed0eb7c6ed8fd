using Atelier.Grains.Models;
using Microsoft.Extensions.Time.Testing;

namespace Atelier.Grains.Tests.Models;

/// <summary>The dynamic batcher's rules: one batch at a time, at most maxBatch, the queue delay, cancellation, failures.</summary>
public sealed class DynamicBatcherTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Requests_that_arrive_while_a_batch_runs_form_the_next_batches_of_at_most_max_batch()
    {
        var runs = new Runs();
        var batcher = new DynamicBatcher<int, string>(3, 1, TimeSpan.Zero, TimeProvider.System, runs.RunAsync);

        var first = batcher.SubmitAsync(0, default);
        await runs.Started(1);
        var rest = Enumerable.Range(1, 5).Select(i => batcher.SubmitAsync(i, default)).ToArray();
        runs.Release();

        Assert.Equal("0", await first.WaitAsync(Wait));
        Assert.Equal(["1", "2", "3", "4", "5"], await Task.WhenAll(rest).WaitAsync(Wait));
        Assert.Equal([[0], [1, 2, 3], [4, 5]], runs.Batches);
    }

    [Fact]
    public async Task Up_to_max_in_flight_batches_run_at_once()
    {
        var runs = new Runs();
        var batcher = new DynamicBatcher<int, string>(2, 2, TimeSpan.Zero, TimeProvider.System, runs.RunAsync);

        var first = batcher.SubmitAsync(0, default);
        await runs.Started(1);
        var second = batcher.SubmitAsync(1, default);
        await runs.Started(2); // the second batch starts while the first still runs
        var rest = Enumerable.Range(2, 3).Select(i => batcher.SubmitAsync(i, default)).ToArray();
        await Task.Delay(50);
        Assert.Equal(2, runs.Batches.Length); // both places taken: the rest wait
        runs.Release();

        await Task.WhenAll([first, second, .. rest]).WaitAsync(Wait);
        Assert.Equal([[0], [1]], runs.Batches[..2]);
        Assert.Equal([2, 3, 4], runs.Batches[2..].SelectMany(b => b).Order());
        Assert.All(runs.Batches[2..], b => Assert.InRange(b.Length, 1, 2));
    }

    [Fact]
    public async Task A_batch_waits_up_to_the_queue_delay_for_more_requests_and_no_longer()
    {
        var time = new FakeTimeProvider();
        var runs = new Runs(blocking: false);
        var batcher = new DynamicBatcher<int, string>(4, 1, TimeSpan.FromMilliseconds(10), time, runs.RunAsync);

        var a = batcher.SubmitAsync(1, default);
        var b = batcher.SubmitAsync(2, default);
        await Task.Delay(50);
        Assert.Empty(runs.Batches); // fewer than maxBatch and the delay has not passed
        time.Advance(TimeSpan.FromMilliseconds(10));

        Assert.Equal(["1", "2"], await Task.WhenAll(a, b).WaitAsync(Wait));
        Assert.Equal([[1, 2]], runs.Batches);
    }

    [Fact]
    public async Task A_full_batch_runs_without_waiting_for_the_queue_delay()
    {
        var runs = new Runs(blocking: false);
        var batcher = new DynamicBatcher<int, string>(2, 1, TimeSpan.FromHours(1), new FakeTimeProvider(), runs.RunAsync);

        var results = await Task.WhenAll(batcher.SubmitAsync(1, default), batcher.SubmitAsync(2, default)).WaitAsync(Wait);

        Assert.Equal(["1", "2"], results);
        Assert.Equal([[1, 2]], runs.Batches);
    }

    [Fact]
    public async Task A_request_cancelled_while_it_waits_leaves_the_queue()
    {
        var runs = new Runs();
        var batcher = new DynamicBatcher<int, string>(8, 1, TimeSpan.Zero, TimeProvider.System, runs.RunAsync);
        var first = batcher.SubmitAsync(0, default);
        await runs.Started(1);
        using var cancel = new CancellationTokenSource();
        var cancelled = batcher.SubmitAsync(1, cancel.Token);
        var kept = batcher.SubmitAsync(2, default);

        await cancel.CancelAsync();
        runs.Release();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Wait));
        Assert.Equal("2", await kept.WaitAsync(Wait));
        await first.WaitAsync(Wait);
        Assert.Equal([[0], [2]], runs.Batches);
    }

    [Fact]
    public async Task A_request_that_fails_its_batch_fails_alone()
    {
        var runs = new Runs(blocking: false) { Poison = 13 };
        var batcher = new DynamicBatcher<int, string>(4, 1, TimeSpan.FromHours(1), new FakeTimeProvider(), runs.RunAsync);

        var tasks = new[] { 11, 12, 13, 14 }.Select(i => batcher.SubmitAsync(i, default)).ToArray();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => tasks[2].WaitAsync(Wait));
        Assert.Contains("13", error.Message, StringComparison.Ordinal);
        Assert.Equal("11", await tasks[0].WaitAsync(Wait));
        Assert.Equal("12", await tasks[1].WaitAsync(Wait));
        Assert.Equal("14", await tasks[3].WaitAsync(Wait));
        Assert.Equal([[11, 12, 13, 14], [11], [12], [13], [14]], runs.Batches);
    }

    /// <summary>Records each batch; with <c>blocking</c> the first batch waits for <see cref="Release"/>.</summary>
    private sealed class Runs(bool blocking = true)
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<int[]> _batches = [];

        public int? Poison { get; init; }

        public int[][] Batches
        {
            get
            {
                lock (_batches)
                {
                    return [.. _batches];
                }
            }
        }

        public async Task<string[]> RunAsync(IReadOnlyList<int> items)
        {
            lock (_batches)
            {
                _batches.Add([.. items]);
            }

            if (blocking)
            {
                await _release.Task;
            }

            if (Poison is { } poison && items.Contains(poison))
            {
                throw new ArgumentException($"item {poison} is bad");
            }

            return [.. items.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        }

        public void Release() => _release.TrySetResult();

        public async Task Started(int batches)
        {
            while (Batches.Length < batches)
            {
                await Task.Delay(5);
            }
        }
    }
}
