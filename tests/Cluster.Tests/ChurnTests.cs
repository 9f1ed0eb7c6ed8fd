using System.Collections.Concurrent;
using System.Net;
using Xunit.Abstractions;

namespace Atelier.Cluster.Tests;

/// <summary>
/// Membership churn under load with real silo processes: silos join, one leaves (SIGTERM, drain) and one is killed
/// (<c>kill -9</c>) while a loop of clicks and keyed edits runs over 20 sessions. A duplicate activation would fork a
/// session's edits; a lost or repeated keyed edit would show in its version.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ChurnTests(RedisServerFixture redis, ITestOutputHelper output)
{
    private const int Sessions = 20;

    [Fact]
    public async Task After_joins_a_drain_and_a_kill_under_load_every_session_has_one_owner_and_every_keyed_edit_applied_once()
    {
        await using var cluster = await SessionCluster.StartAsync(redis.Configuration, redis.NewPrefix("churn"), ["h0", "h1", "h2"]);
        var sessions = (await cluster.OpenManyAsync(cluster.Silos[0], Sessions)).Select(s => s.Id).ToArray();

        // The load goes through the silos that are never stopped (h0, then also each silo that joins), so every
        // failure it sees comes from the cluster, not from a request sent to a process that is going away.
        var ingress = new List<SiloProcess> { cluster.Silos[0] };
        var load = new EditLoad(cluster.Api, sessions, () => { lock (ingress) { return [.. ingress]; } });
        try
        {
            await load.UntilMoreAsync(30);

            var h3 = await cluster.AddSiloAsync("h3");
            lock (ingress)
            {
                ingress.Add(h3);
            }

            await load.UntilMoreAsync(30);

            var h1 = cluster.Silos.Single(s => s.Name == "h1");
            h1.Terminate();
            await h1.WaitForExitAsync(Eventually.Patience);
            await load.UntilMoreAsync(30);

            var h2 = cluster.Silos.Single(s => s.Name == "h2");
            h2.KillHard();
            await cluster.WaitForMembersAsync(cluster.Live); // declared dead by h0 and h3
            await load.UntilMoreAsync(30);

            var h4 = await cluster.AddSiloAsync("h4");
            lock (ingress)
            {
                ingress.Add(h4);
            }

            await load.UntilMoreAsync(30);
        }
        finally
        {
            await load.StopAsync();
        }

        var live = cluster.Live;
        output.WriteLine($"{load.Operations} operations ({load.KeysSent} keyed edits, {load.Unanswered.Count} of them not answered 200 in the loop); live: "
            + string.Join(", ", live.Select(s => s.Name)));
        Assert.True(load.ClickFailures.IsEmpty, $"{load.ClickFailures.Count} clicks failed:\n" + string.Join('\n', load.ClickFailures.Take(10)));

        // A client whose keyed edit got no answer sends it again with the same key until it gets one.
        foreach (var (id, key) in load.Unanswered)
        {
            await Eventually.UntilAsync(async () =>
            {
                using var response = await cluster.Api.EraseAsync(live[0], id, key);
                return response.StatusCode == HttpStatusCode.OK;
            }, () => $"keyed erase {key} answered 200\n{cluster.OutputTails}");
        }

        foreach (var id in sessions)
        {
            // One owner: every live silo routes the session's calls to the same silo, a live one.
            var owners = new HashSet<string>();
            var versions = new HashSet<int>();
            foreach (var silo in live)
            {
                using var info = await cluster.Api.InfoAsync(silo, id);
                await SessionApi.EnsureAsync(info, silo);
                owners.Add(SessionApi.Owner(info));
                versions.Add(await cluster.Api.VersionAsync(silo, id));
            }

            Assert.True(owners.Count == 1, $"{id} answered from {string.Join(", ", owners)}");
            Assert.Contains(owners.Single(), live.Select(s => s.Name));

            // Each distinct key applied once: the version counts the edits.
            Assert.Equal(load.KeysOf(id), versions.Single());
        }

        // And the silos' own session counts add up to the sessions opened: no second activation anywhere.
        var counts = "";
        await Eventually.UntilAsync(async () =>
        {
            var view = await cluster.ViewAsync(live[0]);
            counts = string.Join(", ", view.Select(s => $"{s.Name}:{s.Status}:{s.Sessions}"));
            return view.Length == live.Length && view.Sum(s => s.Sessions) == Sessions;
        }, () => $"session counts of [{counts}] to add up to {Sessions}");
    }

    /// <summary>Three clients, each clicking or sending a keyed erase (one in three) on a random session, through a random ingress silo.</summary>
    private sealed class EditLoad
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentDictionary<string, int> _keys = new();
        private readonly Task[] _clients;
        private int _operations;
        private int _keysSent;

        public EditLoad(SessionApi api, string[] sessions, Func<SiloProcess[]> ingress)
        {
            _clients = [.. Enumerable.Range(0, 3).Select(client => Task.Run(async () =>
            {
                var random = new Random(client);
                for (var n = 0; !_stop.IsCancellationRequested; n++)
                {
                    var id = sessions[random.Next(sessions.Length)];
                    var silos = ingress();
                    var via = silos[random.Next(silos.Length)];
                    if (random.Next(3) == 0)
                    {
                        var key = $"c{client}-{n}";
                        _keys.AddOrUpdate(id, 1, (_, count) => count + 1);
                        Interlocked.Increment(ref _keysSent);
                        try
                        {
                            using var erase = await api.EraseAsync(via, id, key);
                            if (erase.StatusCode != HttpStatusCode.OK)
                            {
                                Unanswered.Enqueue((id, key));
                            }
                        }
                        catch (HttpRequestException)
                        {
                            Unanswered.Enqueue((id, key));
                        }
                    }
                    else
                    {
                        try
                        {
                            using var click = await api.SegmentAsync(via, id);
                            if (click.StatusCode != HttpStatusCode.OK)
                            {
                                ClickFailures.Enqueue($"{id} via {via.Name}: {(int)click.StatusCode} {await click.Content.ReadAsStringAsync()}");
                            }
                        }
                        catch (HttpRequestException e)
                        {
                            ClickFailures.Enqueue($"{id} via {via.Name}: {e.Message}");
                        }
                    }

                    Interlocked.Increment(ref _operations);
                }
            }))];
        }

        public int Operations => Volatile.Read(ref _operations);

        public int KeysSent => Volatile.Read(ref _keysSent);

        public ConcurrentQueue<string> ClickFailures { get; } = new();

        /// <summary>Keyed erases the loop got no 200 for: applied or not, the client does not know.</summary>
        public ConcurrentQueue<(string Id, string Key)> Unanswered { get; } = new();

        /// <summary>Distinct idempotency keys sent for session <paramref name="id"/> (each loop key is new).</summary>
        public int KeysOf(string id) => _keys.GetValueOrDefault(id);

        /// <summary>Waits until the loop has done <paramref name="count"/> more operations.</summary>
        public Task UntilMoreAsync(int count)
        {
            var target = Operations + count;
            return Eventually.UntilAsync(() => Operations >= target, () => $"{count} more operations (at {Operations} of {target})");
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_clients);
        }
    }
}
