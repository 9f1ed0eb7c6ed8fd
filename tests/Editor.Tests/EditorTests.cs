using System.Text.Json.Nodes;
using Atelier.Editor.Tests.Support;
using Atelier.Imaging;

namespace Atelier.Editor.Tests;

/// <summary>
/// The editor as a person uses it: a real silo, the page it serves at <c>/</c>, Debian's chromium clicking on it.
/// The scenes are generated, so what a selection or an edit should touch is known pixel for pixel.
/// </summary>
public sealed class EditorTests(EditorSilo silo) : IClassFixture<EditorSilo>
{
    private static readonly Scene Small = new();

    [BrowserFact]
    public async Task Click_inside_an_object_draws_an_overlay_covering_it()
    {
        var folder = Browser.ResultsFolder();
        var results = await Browser.RunAsync(silo.Url, folder,
        [
            .. Open(Small, folder),
            Step.Screenshot("1-opened"),
            Step.ClickImage(Small.DiskGeometry.X, Small.DiskGeometry.Y),
            Step.WaitSegments(1),
            Step.Screenshot("2-selected"),
            Step.Overlay(),
        ]);

        var session = results[3]!;
        Assert.Equal((EditorSilo.Name, "sam-demo", "480 × 320"),
            (session["silo"]!.GetValue<string>(), session["model"]!.GetValue<string>(), session["size"]!.GetValue<string>()));
        var overlay = Step.Bits(results[^1]);
        var iou = Scene.IoU(overlay, Small.Truth(Small.Disk));
        Assert.True(iou >= 0.9, $"IoU of the overlay with the disk is {iou:F3}");
    }

    [BrowserFact]
    public async Task Dragging_a_box_around_an_object_selects_it()
    {
        var folder = Browser.ResultsFolder();
        var (cx, cy, r) = Small.DiskGeometry;
        var results = await Browser.RunAsync(silo.Url, folder,
        [
            .. Open(Small, folder),
            Step.DragImage((cx - r - 8, cy - r - 8), (cx + r + 8, cy + r + 8)),
            Step.WaitSegments(1),
            Step.Screenshot("1-box"),
            Step.Overlay(),
        ]);

        var iou = Scene.IoU(Step.Bits(results[^1]), Small.Truth(Small.Disk));
        Assert.True(iou >= 0.9, $"IoU of the overlay with the disk is {iou:F3}");
    }

    [BrowserFact]
    public async Task One_click_offers_candidates_that_can_be_cycled_with_their_scores()
    {
        var folder = Browser.ResultsFolder();
        var results = await Browser.RunAsync(silo.Url, folder,
        [
            .. Open(Small, folder),
            Step.ClickImage(Small.DiskGeometry.X, Small.DiskGeometry.Y),
            Step.WaitSegments(1),
            Step.Text("#candidate-info"),
            Step.Click("#candidate"),
            Step.Text("#candidate-info"),
        ]);

        Assert.Matches(@"^Mask 1 of 3, score \d\.\d{3}$", results[7]!.GetValue<string>());
        Assert.Matches(@"^Mask 2 of 3, score \d\.\d{3}$", results[9]!.GetValue<string>());
    }

    [BrowserTheory]
    [InlineData("drop")]
    [InlineData("paste")]
    public async Task An_image_dropped_or_pasted_opens_a_session(string how)
    {
        var folder = Browser.ResultsFolder($"{nameof(An_image_dropped_or_pasted_opens_a_session)}-{how}");
        var path = Path.Combine(folder, "scene.png");
        await File.WriteAllBytesAsync(path, Small.Png());
        var results = await Browser.RunAsync(silo.Url, folder,
        [
            Step.Goto(),
            Step.Select("#model", "sam-demo"),
            Step.Give(how, path, "image/png"),
            Step.WaitSession(),
            Step.ClickImage(Small.DiskGeometry.X, Small.DiskGeometry.Y),
            Step.WaitSegments(1),
            Step.Screenshot("1-selected"),
            Step.Overlay(),
        ]);

        Assert.Equal("480 × 320", results[3]!["size"]!.GetValue<string>());
        var iou = Scene.IoU(Step.Bits(results[^1]), Small.Truth(Small.Disk));
        Assert.True(iou >= 0.9, $"IoU of the overlay with the disk is {iou:F3}");
    }

    [BrowserTheory]
    [InlineData("shift")]
    [InlineData("right")]
    public async Task Negative_point_shrinks_the_selection(string click)
    {
        var folder = Browser.ResultsFolder($"{nameof(Negative_point_shrinks_the_selection)}-{click}");
        var results = await Browser.RunAsync(silo.Url, folder,
        [
            .. Open(Small, folder),
            Step.ClickImage(300, 170),
            Step.WaitSegments(1),
            Step.Screenshot("1-positive"),
            Step.Overlay(),
            Step.ClickImage(400, 170, shift: click == "shift", right: click == "right"),
            Step.WaitSegments(2),
            Step.Screenshot("2-negative"),
            Step.Overlay(),
        ]);

        var before = Step.Bits(results[8]);
        var after = Step.Bits(results[12]);
        var (clicked, excluded) = ((170 * Small.Width) + 300, (170 * Small.Width) + 400);
        Assert.True(before[clicked] && before[excluded], "one positive click selects both tones of the bar");
        Assert.True(after[clicked], "the positive point stays selected");
        Assert.False(after[excluded], "the negative point is no longer selected");
        Assert.True(Scene.Count(after) < Scene.Count(before) * 0.8, $"the selection shrank: {Scene.Count(before)} → {Scene.Count(after)} pixels");
    }

    [BrowserFact]
    public async Task Escape_clears_the_prompts_and_the_overlay()
    {
        var folder = Browser.ResultsFolder();
        var results = await Browser.RunAsync(silo.Url, folder,
        [
            .. Open(Small, folder),
            Step.ClickImage(Small.DiskGeometry.X, Small.DiskGeometry.Y),
            Step.WaitSegments(1),
            Step.Overlay(),
            Step.Press("Escape"),
            Step.Overlay(),
            Step.Enabled("#erase"),
        ]);

        Assert.True(Scene.Count(Step.Bits(results[7])) > 0);
        Assert.Equal(0, Scene.Count(Step.Bits(results[9])));
        Assert.False(results[10]!.GetValue<bool>(), "erase needs a selection again");
    }

    [BrowserFact]
    public async Task Erase_changes_only_pixels_near_the_selection()
    {
        const int dilate = 10;
        var folder = Browser.ResultsFolder();
        var erased = Path.Combine(folder, "erased.png");
        await Browser.RunAsync(silo.Url, folder,
        [
            .. Open(Small, folder),
            Step.ClickImage(Small.DiskGeometry.X, Small.DiskGeometry.Y),
            Step.WaitSegments(1),
            Step.SetRange("#dilate", dilate),
            Step.Click("#erase"),
            Step.WaitVersion(1),
            Step.Screenshot("1-erased"),
            Step.Download(erased),
        ]);

        using var original = Small.Render();
        using var edited = ImageDecoder.Decode(await File.ReadAllBytesAsync(erased), "image/png");
        Assert.Equal((Small.Width, Small.Height), (edited.Width, edited.Height));
        var (cx, cy, r) = Small.DiskGeometry;
        // The dilation is a square window (MaskOps.Dilate), reaching dilate·√2 diagonally; 3 px for the selection's edge.
        var reach = r + (dilate * Math.Sqrt(2)) + 3;
        int changedInDisk = 0, changedFar = 0;
        for (var y = 0; y < Small.Height; y++)
        {
            for (var x = 0; x < Small.Width; x++)
            {
                var i = ((y * Small.Width) + x) * 3;
                if (original.Pixels.Slice(i, 3).SequenceEqual(edited.Pixels.Slice(i, 3)))
                {
                    continue;
                }

                if (Small.Disk(x, y))
                {
                    changedInDisk++;
                }
                else if (((x - cx) * (x - cx)) + ((y - cy) * (y - cy)) > reach * reach)
                {
                    changedFar++;
                }
            }
        }

        Assert.Equal(0, changedFar);
        var diskArea = Scene.Count(Small.Truth(Small.Disk));
        Assert.True(changedInDisk > diskArea * 0.9, $"the disk was erased: {changedInDisk} of {diskArea} pixels changed");
    }

    [BrowserFact]
    public async Task Undo_restores_the_original_exactly_and_redo_the_edit()
    {
        var folder = Browser.ResultsFolder();
        var (erased, undone, redone) = (Path.Combine(folder, "erased.png"), Path.Combine(folder, "undone.png"), Path.Combine(folder, "redone.png"));
        var results = await Browser.RunAsync(silo.Url, folder,
        [
            .. Open(Small, folder),
            Step.ClickImage(Small.DiskGeometry.X, Small.DiskGeometry.Y),
            Step.WaitSegments(1),
            Step.Click("#erase"),
            Step.WaitVersion(1),
            Step.Download(erased),
            Step.Press("Control+z"),
            Step.WaitVersion(0),
            Step.Screenshot("1-undone"),
            Step.Download(undone),
            Step.Enabled("#redo"),
            Step.Press("Control+Shift+Z"),
            Step.WaitVersion(1),
            Step.Download(redone),
        ]);

        using var original = Small.Render();
        using var afterUndo = ImageDecoder.Decode(await File.ReadAllBytesAsync(undone), "image/png");
        Assert.True(original.Pixels.SequenceEqual(afterUndo.Pixels), "undo gives back the original pixels");
        Assert.True(results[14]!.GetValue<bool>(), "redo is offered after undo");
        using var afterErase = ImageDecoder.Decode(await File.ReadAllBytesAsync(erased), "image/png");
        using var afterRedo = ImageDecoder.Decode(await File.ReadAllBytesAsync(redone), "image/png");
        Assert.False(original.Pixels.SequenceEqual(afterErase.Pixels), "the erase changed the image");
        Assert.True(afterErase.Pixels.SequenceEqual(afterRedo.Pixels), "redo gives back the erased image");
    }

    [BrowserFact]
    public async Task Truncated_file_shows_a_readable_message()
    {
        var folder = Browser.ResultsFolder();
        var png = Small.Png();
        var truncated = Path.Combine(folder, "truncated.png");
        await File.WriteAllBytesAsync(truncated, png.AsSpan(0, png.Length / 2).ToArray());
        var results = await Browser.RunAsync(silo.Url, folder,
        [
            Step.Goto(),
            Step.Select("#model", "sam-demo"),
            Step.Upload(truncated),
            Step.WaitMessage(),
            Step.Screenshot("1-error"),
        ]);

        var message = results[3]!;
        Assert.Equal("image_corrupt", message["code"]!.GetValue<string>());
        Assert.Contains("(HTTP 422)", message["title"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(message["detail"]!.GetValue<string>()));
        Assert.DoesNotContain("{", message["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [BrowserFact]
    public async Task Close_ends_the_session()
    {
        var folder = Browser.ResultsFolder();
        var results = await Browser.RunAsync(silo.Url, folder,
        [
            .. Open(Small, folder),
            Step.Click("#close"),
            Step.WaitIdle(),
            Step.Enabled("#download"),
            Step.Text("#status"),
        ]);

        Assert.False(results[7]!.GetValue<bool>(), "nothing to download once closed");
        Assert.Contains("closed", results[8]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [BrowserFact]
    public async Task Session_closed_elsewhere_says_so_and_reopens_the_same_image()
    {
        var folder = Browser.ResultsFolder();
        var results = await Browser.RunAsync(silo.Url, folder,
        [
            .. Open(Small, folder),
            Step.CloseBehindTheEditor(),
            Step.ClickImage(Small.DiskGeometry.X, Small.DiskGeometry.Y),
            Step.WaitMessage(),
            Step.Screenshot("1-gone"),
            Step.Click("#reopen"),
            Step.WaitSession(),
            Step.ClickImage(Small.DiskGeometry.X, Small.DiskGeometry.Y),
            Step.WaitSegments(1),
            Step.Overlay(),
        ]);

        Assert.Equal(204, results[5]!.GetValue<int>());
        var gone = results[7]!;
        Assert.Equal("session_not_found", gone["code"]!.GetValue<string>());
        Assert.True(gone["reopen"]!.GetValue<bool>(), "a reopen of the same image is offered");
        var iou = Scene.IoU(Step.Bits(results[^1]), Small.Truth(Small.Disk));
        Assert.True(iou >= 0.9, $"the reopened session segments the same image (IoU {iou:F3})");
    }

    /// <summary>A large photo in a 1024-px window: shown scaled down, clicked in screen pixels, sent in original pixels.</summary>
    [BrowserFact]
    public async Task Large_image_is_shown_scaled_and_selected_in_original_pixels()
    {
        var large = new Scene(scale: 5);
        var folder = Browser.ResultsFolder();
        var results = await Browser.RunAsync(silo.Url, folder,
        [
            .. Open(large, folder),
            Step.ClickImage(large.DiskGeometry.X, large.DiskGeometry.Y),
            Step.WaitSegments(1),
            Step.Screenshot("1-selected"),
            Step.Overlay(),
        ], viewport: (1024, 700));

        var session = results[3]!;
        Assert.Equal(large.Width, session["canvas"]![0]!.GetValue<int>());
        Assert.True(session["shown"]![0]!.GetValue<double>() < large.Width / 2.0, "the image is shown scaled down");
        var iou = Scene.IoU(Step.Bits(results[^1]), large.Truth(large.Disk));
        Assert.True(iou >= 0.9, $"IoU of the overlay with the disk is {iou:F3}");
    }

    /// <summary>Goto, pick sam-demo (the colour wand suits a generated scene), open the scene, wait for the session: 5 steps.</summary>
    internal static JsonNode[] Open(Scene scene, string folder)
    {
        var path = Path.Combine(folder, "scene.png");
        File.WriteAllBytes(path, scene.Png());
        return [Step.Goto(), Step.Select("#model", "sam-demo"), Step.Upload(path), Step.WaitSession(), Step.Screenshot("0-open")];
    }
}
