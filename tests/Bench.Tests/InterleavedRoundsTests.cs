using Atelier.Bench.Infrastructure;

namespace Atelier.Bench.Tests;

public sealed class InterleavedRoundsTests
{
    [Fact]
    public async Task MeasureAsync_warms_up_each_candidate_then_alternates_them_round_by_round()
    {
        var calls = new List<string>();
        (string Name, Func<Task> Call)[] candidates =
        [
            ("a", () => { calls.Add("a"); return Task.CompletedTask; }),
            ("b", () => { calls.Add("b"); return Task.CompletedTask; }),
        ];

        var stats = await InterleavedRounds.MeasureAsync(candidates, warmUpCalls: 2, rounds: 3, callsPerRound: 2, CancellationToken.None);

        Assert.Equal("aabb" + "aabb" + "aabb" + "aabb", string.Concat(calls)); // warm-up, then 3 rounds
        Assert.Equal(new[] { 6, 6 }, stats.Select(s => s.Count));
        Assert.All(stats, s => Assert.True(s.Min >= 0 && s.Min <= s.Median && s.Median <= s.Max));
    }

    [Fact]
    public async Task MeasureAsync_stops_between_rounds_when_cancelled()
    {
        using var cancel = new CancellationTokenSource();
        var timed = 0;
        (string Name, Func<Task> Call)[] candidates =
        [
            ("a", () =>
            {
                if (++timed == 3)
                {
                    cancel.Cancel(); // during the first timed round
                }

                return Task.CompletedTask;
            }),
        ];

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => InterleavedRounds.MeasureAsync(candidates, warmUpCalls: 1, rounds: 5, callsPerRound: 2, cancel.Token));
        Assert.Equal(3, timed); // warm-up + the first round's two calls, no further round
    }
}
