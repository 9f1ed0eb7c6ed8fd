using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Atelier.Imaging;

namespace Atelier.Cluster.Tests;

/// <summary>
/// Graceful drain with real silo processes and a real Redis: SIGTERM of a silo moves its sessions, with their SAM
/// embeddings, to the other silos while clicks keep arriving through another silo.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class DrainTests(RedisServerFixture redis)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private const int SessionsOnC = 4;

    [Fact]
    public async Task Sigterm_moves_sessions_with_their_embeddings_while_clicks_keep_working()
    {
        var options = redis.NewOptions();
        options.HeartbeatPeriod = TimeSpan.FromMilliseconds(250);
        options.TableRefreshPeriod = TimeSpan.FromMilliseconds(250);
        options.MissedHeartbeatsLimit = 12;
        // The default segmenter pinned everywhere: sessions are placed resource-aware (where their model is resident),
        // so without it they would all gather on the first silo that loaded it.
        var pinned = SessionCluster.DefaultEnvironment();
        SiloProcess[] silos = [SiloProcess.Start("da", options, pinned), SiloProcess.Start("db", options, pinned), SiloProcess.Start("dc", options, pinned)];
        var (a, c) = (silos[0], silos[2]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        using var clicking = new CancellationTokenSource();
        try
        {
            foreach (var silo in silos)
            {
                await WaitForActiveAsync(http, silo, ["da", "db", "dc"]);
            }

            // Sessions spread by free device memory: open through A until C owns enough of them.
            var png = Scene();
            var onC = new List<string>();
            var others = new List<string>();
            for (var attempt = 0; onC.Count < SessionsOnC; attempt++)
            {
                Assert.True(attempt < 80, $"only {onC.Count} of {attempt} sessions landed on dc");
                var (id, owner) = await OpenAsync(http, a, png);
                (owner == "dc" ? onC : others).Add(id);
            }

            var encodesBefore = await EncodeRunsAsync(http, a);
            Assert.Equal(onC.Count + others.Count, encodesBefore.Values.Sum()); // one encode per session, nothing else

            // Clicks through A on every session, continuously, from before the SIGTERM until after C has exited.
            var answers = new ConcurrentQueue<(string Id, string Silo, DateTime At)>();
            var failures = new ConcurrentQueue<string>();
            var all = onC.Concat(others).ToArray();
            var loop = Task.Run(async () =>
            {
                for (var i = 0; !clicking.IsCancellationRequested; i++)
                {
                    var id = all[i % all.Length];
                    try
                    {
                        var silo = await ClickAsync(http, a, id, i);
                        answers.Enqueue((id, silo, DateTime.UtcNow));
                    }
                    catch (ClickFailedException e)
                    {
                        failures.Enqueue($"{id}: {e.Message}");
                    }
                }
            });

            await WaitUntilAsync(() => onC.All(id => answers.Any(x => x.Id == id && x.Silo == "dc")), "every dc session answered from dc before the drain");
            c.Terminate();
            await c.WaitForExitAsync(Patience); // bounded by Runtime:ShutdownTimeout (drain + deactivation) and the host's deadline
            Assert.Equal(0, c.ExitCode);
            var exited = DateTime.UtcNow;

            await WaitUntilAsync(() => all.All(id => answers.Any(x => x.Id == id && x.At > exited)), "every session answered after dc exited");
            await clicking.CancelAsync();
            await loop;

            Assert.True(failures.IsEmpty, "clicks failed during the drain:\n" + string.Join('\n', failures.Take(10)) + "\n" + c.OutputTail);
            foreach (var (id, silo, _) in answers.Where(x => x.At > exited))
            {
                Assert.True(silo is "da" or "db", $"{id} answered from {silo} after dc exited");
            }

            // The sessions moved with their embeddings: A and B ran no encoder since the sessions were opened.
            var encodesAfter = await EncodeRunsAsync(http, a);
            Assert.Equal(encodesBefore.GetValueOrDefault("da"), encodesAfter.GetValueOrDefault("da"));
            Assert.Equal(encodesBefore.GetValueOrDefault("db"), encodesAfter.GetValueOrDefault("db"));
            Assert.False(encodesAfter.ContainsKey("dc"));
            foreach (var id in onC)
            {
                using var info = await http.GetAsync(new Uri(a.BaseAddress, $"/v1/sessions/{id}"));
                var body = await info.Content.ReadFromJsonAsync<JsonElement>();
                Assert.True(info.IsSuccessStatusCode, body.ToString());
                Assert.Contains(body.GetProperty("silo").GetString(), new[] { "da", "db" });
                Assert.Equal("device", body.GetProperty("embedding").GetString());
            }
        }
        finally
        {
            await clicking.CancelAsync();
            foreach (var silo in silos)
            {
                silo.Dispose();
            }
        }
    }

    private static byte[] Scene()
    {
        using var image = new RgbImage(200, 150);
        for (var y = 0; y < image.Height; y++)
        {
            var row = image.Row(y);
            for (var x = 0; x < image.Width; x++)
            {
                var inside = ((x - 100) * (x - 100)) + ((y - 75) * (y - 75)) <= 40 * 40;
                row[x * 3] = inside ? (byte)200 : (byte)170;
                row[(x * 3) + 1] = inside ? (byte)30 : (byte)180;
                row[(x * 3) + 2] = inside ? (byte)40 : (byte)200;
            }
        }

        return PngEncoder.Encode(image);
    }

    private static async Task<(string Id, string Owner)> OpenAsync(HttpClient http, SiloProcess silo, byte[] png)
    {
        using var content = new ByteArrayContent(png);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        using var response = await http.PostAsync(new Uri(silo.BaseAddress, "/v1/sessions?model=sam-demo"), content);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        return (body.GetProperty("id").GetString()!, body.GetProperty("silo").GetString()!);
    }

    /// <summary>One click; returns the silo that executed it (the owner).</summary>
    private static async Task<string> ClickAsync(HttpClient http, SiloProcess silo, string id, int i)
    {
        var json = $$"""{"points":[[{{95 + (i % 10)}},75]],"labels":[1]}""";
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        try
        {
            using var response = await http.PostAsync(new Uri(silo.BaseAddress, $"/v1/sessions/{id}/segment"), content);
            if (!response.IsSuccessStatusCode)
            {
                throw new ClickFailedException($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
            return response.Headers.GetValues("X-Atelier-Silo").Single();
        }
        catch (HttpRequestException e)
        {
            throw new ClickFailedException(e.Message);
        }
    }

    /// <summary>Encoder runs of sam-demo per silo, from <c>GET /v1/models/sam-demo</c> (residency of every active silo).</summary>
    private static async Task<Dictionary<string, long>> EncodeRunsAsync(HttpClient http, SiloProcess silo)
    {
        using var response = await http.GetAsync(new Uri(silo.BaseAddress, "/v1/models/sam-demo"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        var runs = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var residency in body.GetProperty("residency").EnumerateArray())
        {
            var operations = residency.GetProperty("runsByOperation");
            runs[residency.GetProperty("silo").GetString()!] = operations.TryGetProperty("encode", out var n) ? n.GetInt64() : 0;
        }

        return runs;
    }

    private static async Task WaitForActiveAsync(HttpClient http, SiloProcess silo, string[] expected)
    {
        var last = "";
        await WaitUntilAsync(async () =>
        {
            Assert.False(silo.HasExited, $"silo {silo.Name} exited:\n{silo.OutputTail}");
            try
            {
                using var response = await http.GetAsync(new Uri(silo.BaseAddress, "/v1/cluster"));
                if (!response.IsSuccessStatusCode)
                {
                    return false;
                }

                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                var rows = body.GetProperty("silos").EnumerateArray()
                    .Select(s => (Name: s.GetProperty("name").GetString(), Status: s.GetProperty("status").GetString())).ToArray();
                last = string.Join(",", rows.Select(s => $"{s.Name}:{s.Status}"));
                return rows.Select(s => s.Name).Order().SequenceEqual(expected) && rows.All(s => s.Status == "active");
            }
            catch (HttpRequestException)
            {
                return false; // not listening yet
            }
        }, () => $"silo {silo.Name} did not see [{string.Join(",", expected)}]; last: {last}");
    }

    private static Task WaitUntilAsync(Func<bool> condition, string what) =>
        WaitUntilAsync(() => Task.FromResult(condition()), () => what);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting: " + what());
            await Task.Delay(50);
        }
    }

    private sealed class ClickFailedException(string message) : Exception(message);
}
