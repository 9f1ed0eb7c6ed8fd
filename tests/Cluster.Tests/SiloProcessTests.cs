using System.Net.Http.Json;
using System.Text.Json;
using Atelier.Runtime;

namespace Atelier.Cluster.Tests;

[Collection(RedisCollection.Name)]
public sealed class SiloProcessTests(RedisServerFixture redis)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Three_silo_processes_form_a_cluster_and_a_killed_and_a_terminated_silo_leave_it()
    {
        var options = redis.NewOptions();
        options.HeartbeatPeriod = TimeSpan.FromMilliseconds(250);
        options.TableRefreshPeriod = TimeSpan.FromMilliseconds(250);
        options.MissedHeartbeatsLimit = 12; // 3 s: generous for JIT and start-up on a loaded 2-core CI machine
        SiloProcess[] silos = [SiloProcess.Start("p0", options), SiloProcess.Start("p1", options), SiloProcess.Start("p2", options)];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await using var table = redis.NewMembership(options);
        try
        {
            // Every silo lists all three as active, with stats fetched from each over the HTTP/2 transport.
            foreach (var silo in silos)
            {
                await WaitForClusterAsync(http, silo, ["p0", "p1", "p2"]);
            }

            // Each membership row carries the silo's whole load (device and host memory budgets of its model host), and
            // GET /v1/cluster names every silo's last heartbeat from the table.
            await table.RefreshAsync(default);
            Assert.All(table.Rows, r => Assert.True(r.Load.DeviceBytesBudget > 0 && r.Load.HostBytesBudget == 2048L << 20,
                $"{r.Name}: device budget {r.Load.DeviceBytesBudget}, host budget {r.Load.HostBytesBudget}"));
            var cluster = await http.GetFromJsonAsync<JsonElement>(new Uri(silos[0].BaseAddress, "/v1/cluster"));
            Assert.All(cluster.GetProperty("silos").EnumerateArray(), s =>
                Assert.True(s.GetProperty("lastHeartbeat").TryGetDateTimeOffset(out var at) && at > DateTimeOffset.UnixEpoch, s.ToString()));

            silos[2].KillHard();
            await WaitForClusterAsync(http, silos[0], ["p0", "p1"]);
            await WaitForClusterAsync(http, silos[1], ["p0", "p1"]);
            await table.RefreshAsync(default);
            Assert.Equal(SiloStatus.Dead, table.Rows.Single(r => r.Name == "p2").Status); // declared dead by the others

            silos[1].Terminate();
            await silos[1].WaitForExitAsync(Patience);
            Assert.Equal(0, silos[1].ExitCode);
            await WaitForClusterAsync(http, silos[0], ["p0"]);
            await table.RefreshAsync(default);
            Assert.Equal(SiloStatus.Dead, table.Rows.Single(r => r.Name == "p1").Status); // left gracefully
            Assert.Equal(SiloStatus.Active, table.Rows.Single(r => r.Name == "p0").Status);
        }
        finally
        {
            foreach (var silo in silos)
            {
                silo.Dispose();
            }
        }
    }

    [Fact]
    public async Task Silo_that_resumes_after_being_declared_dead_stops_serving_and_exits()
    {
        var options = redis.NewOptions();
        options.HeartbeatPeriod = TimeSpan.FromMilliseconds(250);
        options.TableRefreshPeriod = TimeSpan.FromMilliseconds(250);
        options.MissedHeartbeatsLimit = 12;
        using var silo = SiloProcess.Start("frozen", options);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await using var others = redis.NewMembership(options); // the rest of the cluster, judging from Redis
        await WaitForClusterAsync(http, silo, ["frozen"]);

        silo.Signal("-STOP");
        try
        {
            await RedisMembershipTests.WaitUntil(async () =>
            {
                await others.RefreshAsync(default);
                return (await others.DetectFailuresAsync(default)).Count == 1;
            });
        }
        finally
        {
            silo.Signal("-CONT");
        }

        await silo.WaitForExitAsync(Patience); // its next heartbeat tells it it is dead
        Assert.Equal(SiloStatus.Dead, others.Rows.Single().Status);
    }

    internal static async Task WaitForClusterAsync(HttpClient http, SiloProcess silo, string[] expected)
    {
        var deadline = DateTime.UtcNow + Patience;
        string last = "";
        while (true)
        {
            Assert.False(silo.HasExited, $"silo {silo.Name} exited:\n{silo.OutputTail}");
            try
            {
                using var response = await http.GetAsync(new Uri(silo.BaseAddress, "/v1/cluster"));
                if (response.IsSuccessStatusCode)
                {
                    Assert.Equal(silo.Name, response.Headers.GetValues("X-Atelier-Silo").Single());
                    var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                    var silos = body.GetProperty("silos").EnumerateArray()
                        .Select(s => (Name: s.GetProperty("name").GetString(), Status: s.GetProperty("status").GetString())).ToArray();
                    last = string.Join(",", silos.Select(s => $"{s.Name}:{s.Status}"));
                    if (silos.Select(s => s.Name).Order().SequenceEqual(expected) && silos.All(s => s.Status == "active"))
                    {
                        return;
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or too slow to answer on a loaded machine: ask again until the deadline.
            }

            Assert.True(DateTime.UtcNow < deadline, $"silo {silo.Name} did not see [{string.Join(",", expected)}]; last: {last}");
            await Task.Delay(100);
        }
    }
}
