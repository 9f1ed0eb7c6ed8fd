using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Atelier.Imaging;

namespace Atelier.Silo.Tests.Http;

/// <summary>
/// <c>POST /v1/sessions/{id}/replace</c> end to end on a real Kestrel silo with <c>sd-inpaint-demo</c> (real ONNX Runtime):
/// PNG, JSON and Server-Sent Events answers, the colour the prompt asks for, untouched pixels outside the dilated mask,
/// determinism per seed, undo, and cancellation by a client that goes away.
/// </summary>
public sealed class ReplaceTests(ReplaceTests.KestrelHost host) : IClassFixture<ReplaceTests.KestrelHost>
{
    private const int Width = 160;
    private const int Height = 120;
    private const int Dilate = 9;

    private HttpClient Client => host.Client;

    [Theory]
    [InlineData("a red object", 0)]
    [InlineData("a blue vase", 2)]
    public async Task Replace_changes_only_pixels_inside_the_dilated_mask_and_paints_the_colour_asked_for(string prompt, int channel)
    {
        var id = await OpenAsync();
        using var mask = Rectangle();

        using var response = await PostReplaceAsync(id, Body(prompt, mask, steps: 6, seed: 42), "image/png");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        using var result = ImageDecoder.Decode(await response.Content.ReadAsByteArrayAsync());
        using var original = Original();
        using var dilated = MaskOps.Dilate(mask, Dilate);
        var sums = new double[3];
        var count = 0;
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                var after = result.Row(y).Slice(x * 3, 3);
                if (!dilated[x, y])
                {
                    Assert.True(after.SequenceEqual(original.Row(y).Slice(x * 3, 3)), $"pixel ({x}, {y}) outside the dilated mask changed");
                }
                else if (mask[x, y])
                {
                    for (var c = 0; c < 3; c++)
                    {
                        sums[c] += after[c];
                    }

                    count++;
                }
            }
        }

        for (var c = 0; c < 3; c++)
        {
            var mean = sums[c] / count;
            Assert.True(c == channel ? mean > 200 : mean < 60, $"channel {c} averages {mean:F1} inside the mask for '{prompt}'");
        }

        using var info = await Client.GetAsync(new Uri($"/v1/sessions/{id}", UriKind.Relative));
        using var session = JsonDocument.Parse(await info.Content.ReadAsStringAsync());
        Assert.Equal(1, session.RootElement.GetProperty("version").GetInt32());
        Assert.True(session.RootElement.GetProperty("canUndo").GetBoolean());
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_pixels()
    {
        var id = await OpenAsync();
        using var mask = Rectangle();

        using var first = await PostReplaceAsync(id, Body("a green car", mask, steps: 5, seed: 7, apply: false), "image/png");
        using var second = await PostReplaceAsync(id, Body("a green car", mask, steps: 5, seed: 7, apply: false), "image/png");
        var other = await OpenAsync();
        using var third = await PostReplaceAsync(other, Body("a green car", mask, steps: 5, seed: 7, apply: false), "image/png");

        var bytes = await first.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(bytes, await second.Content.ReadAsByteArrayAsync());
        Assert.Equal(bytes, await third.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Undo_after_a_replace_restores_the_original_exactly()
    {
        var id = await OpenAsync();
        using var mask = Rectangle();
        using var replaced = await PostReplaceAsync(id, Body("a yellow flower", mask, steps: 4, seed: 3), "application/json");
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        using var json = JsonDocument.Parse(await replaced.Content.ReadAsStringAsync());
        Assert.Equal("image/png", json.RootElement.GetProperty("contentType").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("session").GetProperty("version").GetInt32());
        using var edited = ImageDecoder.Decode(Convert.FromBase64String(json.RootElement.GetProperty("image").GetString()!));
        using var original = Original();
        Assert.False(edited.Pixels.SequenceEqual(original.Pixels));

        using var undo = await Client.PostAsync(new Uri($"/v1/sessions/{id}/undo", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, undo.StatusCode);

        using var image = await CurrentImageAsync(id);
        Assert.True(image.Pixels.SequenceEqual(original.Pixels), "undo did not restore the original pixels");
    }

    [Fact]
    public async Task Event_stream_reports_every_step_then_the_result()
    {
        var id = await OpenAsync();
        using var mask = Rectangle();

        using var response = await PostReplaceAsync(id, Body("a purple object", mask, steps: 5, seed: 11), "text/event-stream");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("test-silo", Assert.Single(response.Headers.GetValues("X-Atelier-Silo")));
        var events = ParseEvents(await response.Content.ReadAsStringAsync());
        Assert.Equal(6, events.Count);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("progress", events[i].Name);
            using var progress = JsonDocument.Parse(events[i].Data);
            Assert.Equal(i + 1, progress.RootElement.GetProperty("step").GetInt32());
            Assert.Equal(5, progress.RootElement.GetProperty("steps").GetInt32());
        }

        Assert.Equal("result", events[5].Name);
        using var result = JsonDocument.Parse(events[5].Data);
        Assert.Equal("image/png", result.RootElement.GetProperty("contentType").GetString());
        Assert.Equal(1, result.RootElement.GetProperty("session").GetProperty("version").GetInt32());
        using var streamed = ImageDecoder.Decode(Convert.FromBase64String(result.RootElement.GetProperty("image").GetString()!));
        using var current = await CurrentImageAsync(id);
        Assert.True(streamed.Pixels.SequenceEqual(current.Pixels));
    }

    [Fact]
    public async Task Event_stream_errors_found_before_the_run_are_plain_problem_responses()
    {
        using var mask = Rectangle();
        using var missing = await PostReplaceAsync("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", Body("a red object", mask, steps: 3, seed: 1), "text/event-stream");
        await ProblemAssert.IsProblemAsync(missing, HttpStatusCode.NotFound, "session_not_found");

        var id = await OpenAsync();
        using var empty = new Mask(Width, Height);
        using var invalid = await PostReplaceAsync(id, Body("a red object", empty, steps: 3, seed: 1), "text/event-stream");
        await ProblemAssert.IsProblemAsync(invalid, HttpStatusCode.BadRequest, "invalid_prompt");
    }

    [Fact]
    public async Task A_client_that_goes_away_mid_run_leaves_the_session_unchanged()
    {
        // The demo runs a step in milliseconds at 512: a store of its own serves it at 2048 (16× the latent area), so the
        // run is still going when the client leaves after the first progress event.
        await using var slow = await SlowSilo.StartAsync();
        var client = slow.Client;
        using var original = Original();
        var id = await SessionFixture.OpenAsync(client, PngEncoder.Encode(original), "image/png");
        using var mask = Rectangle();
        using var cancel = new CancellationTokenSource();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/v1/sessions/{id}/replace", UriKind.Relative))
        {
            Content = new StringContent(Body("a red object", mask, steps: 150, seed: 5), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));

        // A client of its own that drops the connection when it stops reading: SocketsHttpHandler would otherwise drain
        // the rest of a small response (up to 1 MiB within 2 s) to reuse the connection, and the server would never
        // see the client leave.
        using var leaving = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = client.BaseAddress };
        using (var response = await leaving.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
            Assert.Equal("event: progress", await reader.ReadLineAsync(cancel.Token)); // the run has started
            await cancel.CancelAsync();
        }

        // The session runs one call at a time: this answers once the replace has ended.
        using var info = await client.GetAsync(new Uri($"/v1/sessions/{id}", UriKind.Relative));
        using var session = JsonDocument.Parse(await info.Content.ReadAsStringAsync());
        Assert.Equal(0, session.RootElement.GetProperty("version").GetInt32());
        Assert.False(session.RootElement.GetProperty("canUndo").GetBoolean());
        using var image = await CurrentImageAsync(client, id);
        Assert.True(image.Pixels.SequenceEqual(original.Pixels));

        // It stopped early: far fewer than 150 steps ran.
        using var model = await client.GetAsync(new Uri($"/v1/models/{SlowSilo.ModelId}", UriKind.Relative));
        using var residency = JsonDocument.Parse(await model.Content.ReadAsStringAsync());
        var steps = residency.RootElement.GetProperty("residency")[0].GetProperty("runsByOperation").GetProperty("replace-step").GetInt64();
        Assert.InRange(steps, 1, 100);
    }

    [Fact]
    public async Task Closing_the_session_mid_run_stops_the_replace_and_the_stream_ends_with_session_not_found()
    {
        await using var slow = await SlowSilo.StartAsync();
        var client = slow.Client;
        using var original = Original();
        var id = await SessionFixture.OpenAsync(client, PngEncoder.Encode(original), "image/png");
        using var mask = Rectangle();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/v1/sessions/{id}/replace", UriKind.Relative))
        {
            Content = new StringContent(Body("a red object", mask, steps: 150, seed: 5), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("event: progress", await reader.ReadLineAsync()); // the run has started

        using var close = await client.DeleteAsync(new Uri($"/v1/sessions/{id}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NoContent, close.StatusCode);
        var events = ParseEvents("event: progress\n" + await reader.ReadToEndAsync());
        Assert.Equal("error", events[^1].Name);
        using var problem = JsonDocument.Parse(events[^1].Data);
        Assert.Equal("session_not_found", problem.RootElement.GetProperty("code").GetString());
        Assert.Equal(404, problem.RootElement.GetProperty("status").GetInt32());
        Assert.InRange(events.Count(e => e.Name == "progress"), 1, 100);
        using var after = await client.GetAsync(new Uri($"/v1/sessions/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    private static RgbImage Original()
    {
        var image = new RgbImage(Width, Height);
        for (var y = 0; y < Height; y++)
        {
            var row = image.Row(y);
            for (var x = 0; x < Width; x++)
            {
                row[x * 3] = (byte)(60 + (x / 2));
                row[(x * 3) + 1] = (byte)(90 + (y / 2));
                row[(x * 3) + 2] = (byte)(120 + ((x + y) % 9));
            }
        }

        return image;
    }

    private static Mask Rectangle()
    {
        var mask = new Mask(Width, Height);
        for (var y = 40; y < 80; y++)
        {
            mask.Row(y).Slice(60, 50).Fill(Mask.On);
        }

        return mask;
    }

    private static string Body(string prompt, Mask mask, int steps, long seed, bool apply = true) => JsonSerializer.Serialize(new
    {
        prompt,
        mask = Convert.ToBase64String(PngEncoder.Encode(mask)),
        dilate = Dilate,
        steps,
        guidance = 7.5,
        seed,
        apply,
    });

    private async Task<string> OpenAsync()
    {
        using var original = Original();
        return await SessionFixture.OpenAsync(Client, PngEncoder.Encode(original), "image/png");
    }

    private async Task<HttpResponseMessage> PostReplaceAsync(string id, string body, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/v1/sessions/{id}/replace", UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        return await Client.SendAsync(request);
    }

    private Task<RgbImage> CurrentImageAsync(string id) => CurrentImageAsync(Client, id);

    private static async Task<RgbImage> CurrentImageAsync(HttpClient client, string id)
    {
        using var response = await client.GetAsync(new Uri($"/v1/sessions/{id}/image?format=png", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return ImageDecoder.Decode(await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>Server-Sent Events: blocks separated by a blank line, each with <c>event:</c> and <c>data:</c> lines.</summary>
    private static List<(string Name, string Data)> ParseEvents(string text)
    {
        var events = new List<(string, string)>();
        foreach (var block in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? name = null;
            var data = new StringBuilder();
            foreach (var line in block.Split('\n'))
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line["event: ".Length..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data.Append(line["data: ".Length..]);
                }
            }

            events.Add((name ?? "message", data.ToString()));
        }

        return events;
    }

    /// <summary>One silo on a real Kestrel socket (a client that disconnects really disconnects).</summary>
    public sealed class KestrelHost : IAsyncLifetime
    {
        private ApiHost? _host;

        public HttpClient Client { get; private set; } = null!;

        public Task InitializeAsync()
        {
            (_host, Client) = Start(ApiHost.Unlimited());
            return Task.CompletedTask;
        }

        public async Task DisposeAsync()
        {
            Client.Dispose();
            await _host!.DisposeAsync();
        }

        internal static (ApiHost Host, HttpClient Client) Start(Dictionary<string, string?> settings)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            var host = new ApiHost(settings);
            host.UseKestrel(port);
            host.StartServer();
            return (host, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) });
        }
    }

    /// <summary>
    /// A Kestrel silo on a model store of its own: <c>sam-demo</c> and the demo's files as <c>sd-inpaint-slow</c> with
    /// <c>sdInpaint.size</c> 2048 (the demo's graphs take any size).
    /// </summary>
    private sealed class SlowSilo : IAsyncDisposable
    {
        public const string ModelId = "sd-inpaint-slow";

        private readonly string _root;
        private readonly ApiHost _host;

        private SlowSilo(string root, ApiHost host, HttpClient client)
        {
            _root = root;
            _host = host;
            Client = client;
        }

        public HttpClient Client { get; }

        public static Task<SlowSilo> StartAsync()
        {
            var models = Path.Combine(FindRepository(), ".atelier", "models");
            var root = Path.Combine(Path.GetTempPath(), "atelier-slow-sd-" + Guid.NewGuid().ToString("N"));
            Copy(Path.Combine(models, "sam-demo"), Path.Combine(root, "sam-demo"));
            var target = Path.Combine(root, ModelId);
            Copy(Path.Combine(models, "sd-inpaint-demo"), target);
            var manifest = Path.Combine(target, "model.json");
            var text = File.ReadAllText(manifest)
                .Replace("\"id\": \"sd-inpaint-demo\"", $"\"id\": \"{ModelId}\"", StringComparison.Ordinal)
                .Replace("\"size\": 512", "\"size\": 2048", StringComparison.Ordinal);
            Assert.Contains("2048", text, StringComparison.Ordinal);
            File.WriteAllText(manifest, text);
            var (host, client) = KestrelHost.Start(ApiHost.Unlimited(
                ("Models:Store:RootPath", root), ("Sessions:ReplaceModel", ModelId), ("Sessions:DefaultModel", "sam-demo")));
            return Task.FromResult(new SlowSilo(root, host, client));
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await _host.DisposeAsync();
            Directory.Delete(_root, recursive: true);
        }

        private static void Copy(string source, string target)
        {
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            {
                var to = Path.Combine(target, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.Copy(file, to);
            }
        }

        private static string FindRepository()
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Orleans.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("Orleans.sln not found above the test's folder.");
        }
    }
}
