using Atelier.Editor.Tests.Support;
using Atelier.Imaging;

namespace Atelier.Editor.Tests;

/// <summary>Replace from the editor on the generated <c>sd-inpaint-demo</c>: progress, then the new version.</summary>
public sealed class ReplaceEditorTests(EditorSilo silo) : IClassFixture<EditorSilo>
{
    private static readonly Scene Small = new();

    [BrowserFact]
    public async Task Replace_shows_step_progress_and_paints_the_selection_in_the_colour_asked_for()
    {
        var folder = Browser.ResultsFolder();
        var replaced = Path.Combine(folder, "replaced.png");
        var results = await Browser.RunAsync(silo.Url, folder,
        [
            .. EditorTests.Open(Small, folder),
            Step.ClickImage(Small.DiskGeometry.X, Small.DiskGeometry.Y),
            Step.WaitSegments(1),
            Step.Fill("#prompt", "a blue object"),
            Step.Fill("#steps", "8"),
            Step.Click("#replace"),
            Step.WaitVersion(1),
            Step.Screenshot("1-replaced"),
            Step.Text("#status"),
            Step.Download(replaced),
        ]);

        Assert.Contains("Replaced", results[12]!.GetValue<string>(), StringComparison.Ordinal);
        using var original = Small.Render();
        using var image = ImageDecoder.Decode(await File.ReadAllBytesAsync(replaced), "image/png");
        long r = 0, g = 0, b = 0, changedFar = 0;
        var (cx, cy, radius) = Small.DiskGeometry;
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                var i = ((y * image.Width) + x) * 3;
                var same = image.Pixels.Slice(i, 3).SequenceEqual(original.Pixels.Slice(i, 3));
                var distance = Math.Sqrt(((x - cx) * (x - cx)) + ((y - cy) * (y - cy)));
                if (distance > radius + 40 && !same)
                {
                    changedFar++;
                }

                if (Small.Disk(x, y) && distance < radius - 10)
                {
                    (r, g, b) = (r + image.Pixels[i], g + image.Pixels[i + 1], b + image.Pixels[i + 2]);
                }
            }
        }

        Assert.Equal(0, changedFar);
        Assert.True(b > r && b > g, $"the disk is painted blue: mean R/G/B sums {r}/{g}/{b}");
    }
}

/// <summary>Replace from the editor while no text-inpainting model is registered: the server's error, readable.</summary>
public sealed class ReplaceWithoutAModelEditorTests(NoInpaintingEditorSilo silo) : IClassFixture<NoInpaintingEditorSilo>
{
    private static readonly Scene Small = new();

    [BrowserFact]
    public async Task Replace_without_a_text_inpainting_model_shows_the_servers_error()
    {
        var folder = Browser.ResultsFolder();
        var results = await Browser.RunAsync(silo.Url, folder,
        [
            .. EditorTests.Open(Small, folder),
            Step.ClickImage(Small.DiskGeometry.X, Small.DiskGeometry.Y),
            Step.WaitSegments(1),
            Step.Fill("#prompt", "a blue vase"),
            Step.Click("#replace"),
            Step.WaitMessage(),
            Step.Screenshot("1-replace-error"),
        ]);

        var message = results[9]!;
        Assert.Equal("model_not_available", message["code"]!.GetValue<string>());
        Assert.Contains("(HTTP 501)", message["title"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
