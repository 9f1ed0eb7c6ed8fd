using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace Atelier.Cluster.Tests;

/// <summary>
/// SIGTERM of a silo with real processes and a real Redis: each of its sessions migrates (Orleans live migration) with
/// its SAM embedding to a surviving silo while clicks keep arriving through another silo.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class DrainTests(RedisServerFixture redis, ITestOutputHelper output)
{
    [Fact]
    public async Task Sigterm_moves_every_session_with_its_embedding_to_the_survivors_while_no_click_fails()
    {
        await using var cluster = await SessionCluster.StartAsync(redis.Configuration, redis.NewPrefix("drain"), ["d0", "d1", "d2"]);
        var (entry, drained) = (cluster.Silos[0], cluster.Silos[2]);
        string[] survivors = ["d0", "d1"];

        // Open through d0 until d2 owns at least three sessions.
        var sessions = new List<(string Id, string Owner)>();
        while (sessions.Count(s => s.Owner == "d2") < 3)
        {
            Assert.True(sessions.Count < 60, "placement never gave three sessions to d2: " + string.Join(", ", sessions.Select(s => s.Owner)));
            sessions.AddRange(await cluster.OpenManyAsync(entry, 4));
        }

        var moving = sessions.Where(s => s.Owner == "d2").Select(s => s.Id).ToArray();
        var encodesBefore = await cluster.EncodeRunsAsync(entry);
        Assert.Equal(sessions.Count, encodesBefore.Values.Sum()); // one encode per session so far, nothing else

        await using var loop = new ClickLoop(cluster.Api, [.. sessions.Select(s => s.Id)], () => [entry], seed: 7);
        await Eventually.UntilAsync(() => loop.Answers.Count(a => a.Silo == "d2") >= 3, () => "clicks answered by d2 before the drain");

        drained.Terminate();
        await drained.WaitForExitAsync(Eventually.Patience);
        var exitedAt = DateTime.UtcNow;
        await Eventually.UntilAsync(
            () => sessions.All(s => loop.Answers.Any(a => a.Id == s.Id && a.At > exitedAt)),
            () => $"every session answered after d2 exited; {loop.Describe()}");
        await loop.StopAsync();

        output.WriteLine($"{moving.Length} of {sessions.Count} sessions on d2; {loop.Clicks} clicks; d2 exit code {drained.ExitCode}");
        Assert.Equal(0, drained.ExitCode);
        Assert.True(loop.Failures.IsEmpty, loop.Describe() + "\n" + drained.OutputTail);
        Assert.All(loop.Answers.Where(a => a.At > exitedAt), a => Assert.Contains(a.Silo, survivors));

        // The embeddings moved with the sessions: the survivors ran no encoder since the sessions were opened.
        var encodesAfter = await cluster.EncodeRunsAsync(entry);
        Assert.Equal(encodesBefore.GetValueOrDefault("d0"), encodesAfter.GetValueOrDefault("d0"));
        Assert.Equal(encodesBefore.GetValueOrDefault("d1"), encodesAfter.GetValueOrDefault("d1"));
        foreach (var id in moving)
        {
            using var info = await cluster.Api.InfoAsync(entry, id);
            await SessionApi.EnsureAsync(info, entry);
            var body = await info.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains(body.GetProperty("silo").GetString(), survivors);
            Assert.Equal("device", body.GetProperty("embedding").GetString());
        }
    }
}
