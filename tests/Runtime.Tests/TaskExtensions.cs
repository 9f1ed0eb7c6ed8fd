namespace Atelier.Runtime.Tests;

internal static class TaskExtensions
{
    /// <summary>Waits for an event the test expects; the generous bound only turns a hang into a failure.</summary>
    public static Task WithTimeout(this Task task) => task.WaitAsync(TimeSpan.FromSeconds(15));

    public static Task<T> WithTimeout<T>(this Task<T> task) => task.WaitAsync(TimeSpan.FromSeconds(15));
}
