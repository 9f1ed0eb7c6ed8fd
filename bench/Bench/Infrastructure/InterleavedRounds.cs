using System.Diagnostics;

namespace Atelier.Bench.Infrastructure;

/// <summary>
/// Side-by-side latency sampling: every candidate is warmed up, then measured in rounds, each round giving every
/// candidate its sequential calls in turn, so drift (other load on the machine) hits all candidates alike.
/// </summary>
internal static class InterleavedRounds
{
    /// <summary>
    /// Makes <paramref name="warmUpCalls"/> untimed calls per candidate (candidate by candidate), then
    /// <paramref name="rounds"/> × <paramref name="callsPerRound"/> timed calls per candidate. Returns, per candidate
    /// (same order), the statistics of its timed calls.
    /// </summary>
    public static async Task<Stats[]> MeasureAsync(
        IReadOnlyList<(string Name, Func<Task> Call)> candidates, int warmUpCalls, int rounds, int callsPerRound, CancellationToken cancellationToken)
    {
        foreach (var (_, call) in candidates)
        {
            for (var i = 0; i < warmUpCalls; i++)
            {
                await call().ConfigureAwait(false); // JIT, connections, caches
            }
        }

        var samples = new double[candidates.Count][];
        for (var c = 0; c < samples.Length; c++)
        {
            samples[c] = new double[rounds * callsPerRound];
        }

        for (var round = 0; round < rounds; round++)
        {
            for (var c = 0; c < candidates.Count; c++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                for (var i = 0; i < callsPerRound; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    await candidates[c].Call().ConfigureAwait(false);
                    samples[c][(round * callsPerRound) + i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
            }
        }

        return [.. samples.Select(Stats.Of)];
    }
}
