using System.Net;
using Atelier.Imaging;
using Atelier.Silo.Tests.Http;

namespace Atelier.Client.Tests;

/// <summary><see cref="AtelierClient.ReplaceAsync(string, ReplaceOptions, IProgress{ReplaceProgress}?, CancellationToken)"/> over the real HTTP pipeline (Server-Sent Events).</summary>
public sealed class ReplaceProgressTests(ClientFixture fixture) : IClassFixture<ClientFixture>
{
    [Fact]
    public async Task Replace_with_progress_reports_each_step_then_answers_the_image_and_session()
    {
        var client = fixture.Client;
        var session = await client.OpenSessionAsync(new MemoryStream(TestImages.Png(120, 80)), "image/png");
        await client.SegmentAsync(session.Id, SegmentPrompt.At(new PromptPoint(60, 40)));
        var steps = new List<ReplaceProgress>();

        var result = await client.ReplaceAsync(session.Id, new ReplaceOptions("a white vase") { Steps = 3, Seed = 4, NegativePrompt = "blurry" }, new Recorder(steps));

        Assert.Equal([new ReplaceProgress(1, 3), new ReplaceProgress(2, 3), new ReplaceProgress(3, 3)], steps);
        Assert.Equal(1, result.Session.Version);
        using var image = ImageDecoder.Decode(result.ImagePng, "image/png");
        Assert.Equal((120, 80), (image.Width, image.Height));
        Assert.Equal(result.ImagePng, await client.GetImageAsync(session.Id));
    }

    [Fact]
    public async Task Replace_with_progress_on_an_unknown_session_throws_the_server_code()
    {
        var error = await Assert.ThrowsAsync<AtelierApiException>(() =>
            fixture.Client.ReplaceAsync("AAAAAAAAAAAAAAAAAAAAAAAA", new ReplaceOptions("red"), new Recorder([])));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal("session_not_found", error.Code);
    }

    private sealed class Recorder(List<ReplaceProgress> steps) : IProgress<ReplaceProgress>
    {
        public void Report(ReplaceProgress value) => steps.Add(value);
    }
}
