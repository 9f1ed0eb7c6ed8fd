using System.Net;
using Atelier.Imaging;
using Atelier.Silo.Tests.Http;
using ImageFormat = Atelier.Client.ImageFormat;

namespace Atelier.Client.Tests;

/// <summary>The whole session flow through the client library and the real HTTP pipeline, on generated JPEG, PNG and WebP.</summary>
public sealed class SessionFlowTests(ClientFixture fixture) : IClassFixture<ClientFixture>
{
    private const int Width = 120;
    private const int Height = 80;

    [Theory]
    [InlineData("jpeg")]
    [InlineData("png")]
    [InlineData("webp")]
    public async Task Open_segment_erase_undo_redo_download_close(string format)
    {
        var (bytes, extension) = format switch
        {
            "jpeg" => (TestImages.Jpeg(Width, Height), ".jpg"),
            "png" => (TestImages.Png(Width, Height), ".png"),
            _ => (TestImages.WebP(Width, Height), ".webp"),
        };
        var path = Path.Combine(Directory.CreateTempSubdirectory("atelier-client-").FullName, "scene" + extension);
        await File.WriteAllBytesAsync(path, bytes);
        var client = fixture.Client;

        var session = await client.OpenSessionAsync(path, ttlSeconds: 600);
        Assert.Equal((Width, Height), (session.Width, session.Height));
        Assert.Equal("sam-demo", session.Model);
        Assert.Equal(600, session.TtlSeconds);

        var prompt = SegmentPrompt.At(new PromptPoint(Width / 2.0, Height / 2.0));
        var mask = await client.SegmentAsync(session.Id, prompt);
        using var decoded = ImageDecoder.DecodeMask(mask.Png, "image/png");
        Assert.Equal((Width, Height), (decoded.Width, decoded.Height));
        Assert.True(decoded[Width / 2, Height / 2], "the clicked pixel is in the mask");
        Assert.False(decoded[2, 2], "the far corner is not in the mask");
        Assert.NotNull(mask.Score);

        var json = await client.SegmentJsonAsync(session.Id, prompt);
        var best = json.Masks[0];
        Assert.Equal([Height, Width], best.Rle.Size);
        using var fromRle = RleCodec.Decode(new CocoRle(best.Rle.Size[0], best.Rle.Size[1], best.Rle.Counts));
        Assert.True(fromRle.Data.SequenceEqual(decoded.Data), "the RLE decodes to the PNG mask");
        Assert.Equal(best.Area, CountOn(decoded));

        var erased = await client.EraseAsync(session.Id);
        using var edited = ImageDecoder.Decode(erased, "image/png");
        Assert.Equal((Width, Height), (edited.Width, edited.Height));
        var afterErase = await client.GetSessionAsync(session.Id);
        Assert.Equal(1, afterErase.Version);
        Assert.True(afterErase.CanUndo);

        var undone = await client.UndoAsync(session.Id);
        Assert.Equal(0, undone.Version);
        Assert.True(undone.CanRedo);
        var redone = await client.RedoAsync(session.Id);
        Assert.Equal(1, redone.Version);

        var jpeg = await client.GetImageAsync(session.Id, ImageFormat.Jpeg);
        Assert.Equal(Imaging.ImageFormat.Jpeg, ImageDecoder.DetectFormat(jpeg));
        using var current = new MemoryStream();
        await client.DownloadImageAsync(session.Id, current);
        Assert.True(current.ToArray().AsSpan().SequenceEqual(erased), "the current version is the erased image");

        await client.CloseSessionAsync(session.Id);
        var gone = await Assert.ThrowsAsync<AtelierApiException>(() => client.GetSessionAsync(session.Id));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("session_not_found", gone.Code);
        Assert.False(string.IsNullOrEmpty(gone.TraceId));
    }

    [Fact]
    public async Task Select_subject_finds_the_disk()
    {
        using var stream = new MemoryStream(TestImages.Png(Width, Height));
        var session = await fixture.Client.OpenSessionAsync(stream, "image/png");

        var subject = await fixture.Client.SelectSubjectJsonAsync(session.Id);

        var best = subject.Masks[0];
        using var mask = RleCodec.Decode(new CocoRle(best.Rle.Size[0], best.Rle.Size[1], best.Rle.Counts));
        Assert.True(mask[Width / 2, Height / 2], "the disk centre is the subject");
        Assert.False(mask[1, 1], "the corner is background");
        await fixture.Client.CloseSessionAsync(session.Id);
    }

    [Fact]
    public async Task Typed_errors_carry_code_status_and_detail()
    {
        using var text = new MemoryStream("not an image"u8.ToArray());

        var unsupported = await Assert.ThrowsAsync<AtelierApiException>(() => fixture.Client.OpenSessionAsync(text, "image/png"));
        var missing = await Assert.ThrowsAsync<AtelierApiException>(() => fixture.Client.GetModelAsync("no-such-model"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported.StatusCode);
        Assert.Equal("unsupported_media_type", unsupported.Code);
        Assert.Equal("model_not_found", missing.Code);
        Assert.Contains("no-such-model", missing.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelled_calls_throw_operation_cancelled()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        using var stream = new MemoryStream(TestImages.Png(16, 16));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fixture.Client.OpenSessionAsync(stream, "image/png", cancellationToken: cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fixture.Client.ListModelsAsync(cancelled.Token));
    }

    [Fact]
    public async Task Models_and_cluster_through_the_client()
    {
        var models = await fixture.Client.ListModelsAsync();
        var loaded = await fixture.Client.LoadModelAsync("sam-demo");
        var cluster = await fixture.Client.GetClusterAsync();
        var unloaded = await fixture.Client.UnloadModelAsync("sam-demo");

        Assert.Contains(models, m => m.Id == "sam-demo" && m.Kind == "sam");
        Assert.Equal("loaded", loaded.State);
        Assert.Contains("sam-demo", Assert.Single(cluster.Silos).ResidentModels);
        Assert.True(unloaded.Unloaded);
        Assert.True(await fixture.Client.IsHealthyAsync());
        Assert.True(await fixture.Client.IsReadyAsync());
    }

    private static long CountOn(Mask mask)
    {
        long count = 0;
        foreach (var value in mask.Data)
        {
            count += value != 0 ? 1 : 0;
        }

        return count;
    }
}
