namespace Atelier.Runtime.Tests;

internal static class TaskExtensions
{
    /// <summary>Waits for an event the test expects; the generous bound only turns a hang into a failure.</summary>
    public static Task WithTimeout(this Task task) => task.WaitAsync(TimeSpan.FromSeconds(15));

    public static Task<T> WithTimeout<T>(this Task<T> task) => task.WaitAsync(TimeSpan.FromSeconds(15));

    /// <summary>Polls <paramref name="condition"/> until it holds, for at most 15 seconds.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The condition did not hold within 15 seconds.");
            }

            await Task.Delay(20);
        }
    }
}
