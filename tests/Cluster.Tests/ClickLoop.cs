using System.Collections.Concurrent;
using System.Net;

namespace Atelier.Cluster.Tests;

/// <summary>
/// Clicks, one after another, on a set of sessions through a set of ingress silos until stopped, recording who answered
/// each and every click that did not answer 200 (what a user at the keyboard would have seen as an error).
/// </summary>
internal sealed class ClickLoop : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _clicks;

    public ClickLoop(SessionApi api, IReadOnlyList<string> sessions, Func<IReadOnlyList<SiloProcess>> ingress, int seed)
    {
        _loop = Task.Run(async () =>
        {
            var random = new Random(seed);
            while (!_stop.IsCancellationRequested)
            {
                var id = sessions[random.Next(sessions.Count)];
                var silos = ingress();
                var via = silos[random.Next(silos.Count)];
                try
                {
                    using var response = await api.SegmentAsync(via, id);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        Answers.Enqueue((id, SessionApi.Owner(response), DateTime.UtcNow));
                    }
                    else
                    {
                        Failures.Enqueue($"{id} via {via.Name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    }
                }
                catch (HttpRequestException e)
                {
                    Failures.Enqueue($"{id} via {via.Name}: {e.Message}");
                }

                Interlocked.Increment(ref _clicks);
            }
        });
    }

    /// <summary>Clicks answered 200: session, the silo that executed it, when.</summary>
    public ConcurrentQueue<(string Id, string Silo, DateTime At)> Answers { get; } = new();

    public ConcurrentQueue<string> Failures { get; } = new();

    public int Clicks => Volatile.Read(ref _clicks);

    /// <summary>The failures, for an assertion message.</summary>
    public string Describe() => $"{Failures.Count} of {Clicks} clicks failed:\n" + string.Join('\n', Failures.Take(10));

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
