namespace Atelier.Cluster.Tests;

/// <summary>Bounded waits for something the cluster does in its own time; a wait that runs out fails with what was last seen.</summary>
internal static class Eventually
{
    /// <summary>Generous: JIT, start-up and failure detection on a loaded 2-core CI machine. Never a measurement.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    public static Task UntilAsync(Func<bool> condition, Func<string> describe, TimeSpan? patience = null) =>
        UntilAsync(() => Task.FromResult(condition()), describe, patience);

    public static async Task UntilAsync(Func<Task<bool>> condition, Func<string> describe, TimeSpan? patience = null)
    {
        var deadline = DateTime.UtcNow + (patience ?? Patience);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"gave up after {(patience ?? Patience).TotalSeconds:0} s waiting for: {describe()}");
            }

            await Task.Delay(100);
        }
    }
}
