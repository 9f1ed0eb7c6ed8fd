using Grpc.Core;
using System.Net;
using Atelier.Client;
using Atelier.Client.Grpc;
using Atelier.Grpc.Tests.Support;
using Atelier.Imaging;
using Atelier.Silo.Tests.Http;
using ImageFormat = Atelier.Client.ImageFormat;

namespace Atelier.Grpc.Tests;

/// <summary>The .NET client library's gRPC transport through the same scenario as the Node driver and the HTTP client tests.</summary>
public sealed class ClientTransportTests(GrpcSilo silo) : IClassFixture<GrpcSilo>
{
    private const int Width = 120;
    private const int Height = 80;

    [Fact]
    public async Task Open_segment_interact_erase_undo_redo_download_close()
    {
        using var client = new GrpcAtelierClient(silo.GrpcUri, new GrpcClientOptions { UploadChunkBytes = 1024 });
        using var upload = new MemoryStream(TestImages.Png(Width, Height));

        var session = await client.OpenSessionAsync(upload, "image/png", ttlSeconds: 600);
        Assert.Equal((Width, Height, "sam-demo", 600), (session.Width, session.Height, session.Model, session.TtlSeconds));
        Assert.Equal("test-silo", session.Silo);

        var prompt = SegmentPrompt.At(new PromptPoint(Width / 2.0, Height / 2.0));
        var mask = await client.SegmentAsync(session.Id, prompt);
        using var decoded = ImageDecoder.DecodeMask(mask.Png, "image/png");
        Assert.Equal((Width, Height), (decoded.Width, decoded.Height));
        Assert.True(decoded[Width / 2, Height / 2], "the clicked pixel is in the mask");
        Assert.False(decoded[2, 2], "the far corner is not in the mask");
        Assert.NotNull(mask.Score);

        var json = await client.SegmentJsonAsync(session.Id, prompt);
        using var fromRle = RleCodec.Decode(new CocoRle(json.Masks[0].Rle.Size[0], json.Masks[0].Rle.Size[1], json.Masks[0].Rle.Counts));
        Assert.True(fromRle.Data.SequenceEqual(decoded.Data), "the RLE decodes to the PNG mask");

        await using (var interact = client.InteractAsync(session.Id, rle: true))
        {
            for (var i = 0; i < 20; i++)
            {
                await interact.SendAsync(SegmentPrompt.At(new PromptPoint((Width / 2.0) - 5 + (i / 2.0), Height / 2.0)));
            }

            await interact.CompleteAsync();
            var updates = new List<InteractUpdate>();
            await foreach (var update in interact.ReadAllAsync())
            {
                updates.Add(update);
            }

            Assert.Equal(20UL, updates[^1].Seq);
            Assert.Equal(20, updates.Count + updates.Sum(u => u.Dropped));
            Assert.Equal((ulong)updates.Sum(u => u.Dropped), updates[^1].DroppedTotal);
            Assert.All(updates, u => Assert.True(RleCodec.Decode(new CocoRle(Height, Width, u.Masks[0].Rle.Counts))[Width / 2, Height / 2]));
        }

        var erased = await client.EraseAsync(session.Id);
        using var edited = ImageDecoder.Decode(erased, "image/png");
        Assert.Equal((Width, Height), (edited.Width, edited.Height));
        Assert.Equal(1, (await client.GetSessionAsync(session.Id)).Version);
        Assert.Equal(0, (await client.UndoAsync(session.Id)).Version);
        Assert.Equal(1, (await client.RedoAsync(session.Id)).Version);

        var jpeg = await client.GetImageAsync(session.Id, ImageFormat.Jpeg);
        Assert.Equal(Imaging.ImageFormat.Jpeg, ImageDecoder.DetectFormat(jpeg));
        using var current = new MemoryStream();
        await client.DownloadImageAsync(session.Id, current);
        Assert.True(current.ToArray().AsSpan().SequenceEqual(erased), "the current version is the erased image");

        await client.CloseSessionAsync(session.Id);
        var gone = await Assert.ThrowsAsync<AtelierApiException>(() => client.GetSessionAsync(session.Id));
        Assert.Equal((HttpStatusCode.NotFound, "session_not_found"), (gone.StatusCode, gone.Code));
    }

    [Fact]
    public async Task Both_transports_answer_bad_input_with_the_same_code_and_status()
    {
        using var grpc = new GrpcAtelierClient(silo.GrpcUri);
        using var http = new AtelierClient(silo.HttpUri);
        using var image = new MemoryStream(TestImages.Png(Width, Height));
        var id = (await http.OpenSessionAsync(image, "image/png")).Id;
        var calls = new (string Name, Func<IAtelierClient, Task> Call)[]
        {
            ("no point", c => c.SegmentAsync(id, new SegmentPrompt())),
            ("point outside", c => c.SegmentAsync(id, SegmentPrompt.At(new PromptPoint(Width + 5, 1)))),
            ("dilate", c => c.SegmentAsync(id, SegmentPrompt.At(new PromptPoint(1, 1)) with { Dilate = 1000 })),
            ("unknown session", c => c.GetSessionAsync("AAAAAAAAAAAAAAAAAAAAAAAA")),
            ("malformed id", c => c.UndoAsync("not/an id")),
            ("nothing to undo", c => c.UndoAsync(id)),
            ("not an image", c => c.OpenSessionAsync(new MemoryStream("text"u8.ToArray()), "image/png")),
            ("unknown model", c => c.LoadModelAsync("no-such-model")),
            ("replace without prompt", c => c.ReplaceAsync(id, new ReplaceOptions(""))),
        };

        foreach (var (name, call) in calls)
        {
            var overHttp = await Assert.ThrowsAsync<AtelierApiException>(() => call(http));
            var overGrpc = await Assert.ThrowsAsync<AtelierApiException>(() => call(grpc));
            Assert.True((overHttp.StatusCode, overHttp.Code) == (overGrpc.StatusCode, overGrpc.Code),
                $"{name}: HTTP {(int)overHttp.StatusCode} {overHttp.Code} vs gRPC {(int)overGrpc.StatusCode} {overGrpc.Code}");
        }
    }

    [Fact]
    public async Task Invalid_prompt_on_an_interact_stream_ends_it_with_invalid_argument()
    {
        using var client = new GrpcAtelierClient(silo.GrpcUri);
        using var image = new MemoryStream(TestImages.Png(Width, Height));
        var session = await client.OpenSessionAsync(image, "image/png");
        await using var interact = client.InteractAsync(session.Id);

        await interact.SendAsync(SegmentPrompt.At(new PromptPoint(Width / 2.0, Height / 2.0)));
        await interact.SendAsync(SegmentPrompt.At(new PromptPoint(double.NaN, 1)));
        var error = await Assert.ThrowsAsync<AtelierApiException>(async () =>
        {
            await foreach (var update in interact.ReadAllAsync())
            {
                Assert.Equal(1UL, update.Seq);
            }
        });

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_prompt"), (error.StatusCode, error.Code));
        Assert.Contains("points[0][0]", error.Detail, StringComparison.Ordinal);
        await silo.WaitForNoActiveCallsAsync();
        Assert.Equal(session.Id, (await client.GetSessionAsync(session.Id)).Id);
    }

    [Fact]
    public async Task Models_health_and_http_only_calls()
    {
        using var client = new GrpcAtelierClient(silo.GrpcUri);

        var models = await client.ListModelsAsync();
        var loaded = await client.LoadModelAsync("sam-demo");
        var model = await client.GetModelAsync("sam-demo");
        var unloaded = await client.UnloadModelAsync("sam-demo");

        Assert.Contains(models, m => m.Id == "sam-demo" && m.Kind == "sam");
        Assert.Equal(("loaded", "test-silo"), (loaded.State, loaded.Silo));
        Assert.Contains(model.Residency, r => r.Silo == "test-silo");
        Assert.True(unloaded.Unloaded);
        Assert.True(await client.IsHealthyAsync());
        Assert.True(await client.IsReadyAsync());
        await Assert.ThrowsAsync<NotSupportedException>(() => client.GetClusterAsync());
    }

    [Fact]
    public async Task Deadline_option_is_sent_as_grpc_timeout_and_cancellation_throws()
    {
        using var http = new AtelierClient(silo.HttpUri);
        using var image = new MemoryStream(TestImages.Png(Width, Height));
        var id = (await http.OpenSessionAsync(image, "image/png")).Id;
        using var hurried = new GrpcAtelierClient(silo.GrpcUri, new GrpcClientOptions { Deadline = TimeSpan.FromTicks(1) });
        using var patient = new GrpcAtelierClient(silo.GrpcUri, new GrpcClientOptions { Deadline = TimeSpan.FromMinutes(5) });
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var prompt = SegmentPrompt.At(new PromptPoint(Width / 2.0, Height / 2.0));

        var late = await Assert.ThrowsAsync<AtelierApiException>(() => hurried.SegmentJsonAsync(id, prompt));
        var mask = await patient.SegmentJsonAsync(id, prompt);

        Assert.Equal((HttpStatusCode.GatewayTimeout, "grpc_deadline_exceeded"), (late.StatusCode, late.Code));
        Assert.NotEmpty(mask.Masks);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => patient.GetSessionAsync(id, cancelled.Token));
    }

    [Fact]
    public async Task Unreachable_server_throws_http_request_exception()
    {
        using var client = new GrpcAtelierClient(new Uri($"http://127.0.0.1:{GrpcSilo.FreePort()}/"));

        await Assert.ThrowsAsync<HttpRequestException>(() => client.ListModelsAsync());
    }
}
