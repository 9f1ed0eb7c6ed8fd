using System.Text.Json;
using Atelier.Imaging;
using Atelier.Silo.Tests.Http;

namespace Atelier.Cli.Tests;

/// <summary>The <c>atelier</c> CLI against a running silo on a real port.</summary>
public sealed class CliTests(KestrelSilo silo) : IClassFixture<KestrelSilo>
{
    private const int Width = 120;
    private const int Height = 80;

    [Fact]
    public async Task Demo_writes_a_mask_and_an_edited_image_and_reports_timings()
    {
        var folder = Directory.CreateTempSubdirectory("atelier-cli-").FullName;
        var image = Path.Combine(folder, "scene.jpg");
        await File.WriteAllBytesAsync(image, TestImages.Jpeg(Width, Height));
        var maskPath = Path.Combine(folder, "mask.png");
        var outputPath = Path.Combine(folder, "erased.png");

        var result = await CliRunner.RunAsync("demo", image, "--point", "60,40", "--server", silo.Url, "--mask-output", maskPath, "-o", outputPath);

        Assert.True(result.ExitCode == 0, result.Error);
        using var mask = ImageDecoder.DecodeMask(await File.ReadAllBytesAsync(maskPath), "image/png");
        Assert.Equal((Width, Height), (mask.Width, mask.Height));
        Assert.True(mask[60, 40]);
        using var edited = ImageDecoder.Decode(await File.ReadAllBytesAsync(outputPath), "image/png");
        Assert.Equal((Width, Height), (edited.Width, edited.Height));
        foreach (var step in new[] { "open", "segment", "erase", "close" })
        {
            Assert.Contains(step, result.Output, StringComparison.Ordinal);
        }

        Assert.Contains("total", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_segment_info_close_then_info_fails_with_the_server_code()
    {
        var folder = Directory.CreateTempSubdirectory("atelier-cli-").FullName;
        var image = Path.Combine(folder, "scene.webp");
        await File.WriteAllBytesAsync(image, TestImages.WebP(Width, Height));

        var open = await CliRunner.RunAsync("open", image, "--server", silo.Url);
        var id = open.Output.Trim();
        var segment = await CliRunner.RunAsync("segment", id, "--point", "60,40", "--point", "2,2,0", "-o", Path.Combine(folder, "m.png"), "--server", silo.Url, "--json");
        var info = await CliRunner.RunAsync("info", id, "--server", silo.Url, "--json");
        var image2 = await CliRunner.RunAsync("image", id, "--format", "jpeg", "-o", Path.Combine(folder, "current.jpg"), "--server", silo.Url);
        var close = await CliRunner.RunAsync("close", id, "--server", silo.Url);
        var after = await CliRunner.RunAsync("info", id, "--server", silo.Url);

        Assert.True(open.ExitCode == 0, open.Error);
        Assert.Equal(24, id.Length);
        Assert.True(segment.ExitCode == 0, segment.Error);
        using (var json = JsonDocument.Parse(segment.Output))
        {
            Assert.True(json.RootElement.GetProperty("score").GetSingle() > 0);
        }

        using (var json = JsonDocument.Parse(info.Output))
        {
            Assert.Equal(Width, json.RootElement.GetProperty("width").GetInt32());
        }

        Assert.Equal(0, image2.ExitCode);
        Assert.Equal(Imaging.ImageFormat.Jpeg, ImageDecoder.DetectFormat(await File.ReadAllBytesAsync(Path.Combine(folder, "current.jpg"))));
        Assert.Equal(0, close.ExitCode);
        Assert.Equal(1, after.ExitCode);
        Assert.Contains("session_not_found", after.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replace_shows_step_progress_on_stderr_and_writes_the_edited_image()
    {
        var folder = Directory.CreateTempSubdirectory("atelier-cli-").FullName;
        var image = Path.Combine(folder, "scene.png");
        await File.WriteAllBytesAsync(image, TestImages.Png(Width, Height));
        var id = (await CliRunner.RunAsync("open", image, "--server", silo.Url)).Output.Trim();
        var segment = await CliRunner.RunAsync("segment", id, "--point", "60,40", "-o", Path.Combine(folder, "m.png"), "--server", silo.Url);
        Assert.True(segment.ExitCode == 0, segment.Error);
        var outputPath = Path.Combine(folder, "replaced.png");

        var result = await CliRunner.RunAsync(
            "replace", id, "--prompt", "a blue object", "--steps", "4", "--seed", "9", "-o", outputPath, "--server", silo.Url);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("[##############################] 4/4 steps", result.Error, StringComparison.Ordinal);
        Assert.Contains("1/4 steps", result.Error, StringComparison.Ordinal);
        using var edited = ImageDecoder.Decode(await File.ReadAllBytesAsync(outputPath), "image/png");
        Assert.Equal((Width, Height), (edited.Width, edited.Height));
        var centre = edited.Row(40).Slice(60 * 3, 3);
        Assert.True(centre[2] > 200 && centre[0] < 60, $"the selection's centre is ({centre[0]}, {centre[1]}, {centre[2]}), not blue");
        var info = await CliRunner.RunAsync("info", id, "--server", silo.Url, "--json");
        using var json = JsonDocument.Parse(info.Output);
        Assert.Equal(1, json.RootElement.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Models_and_cluster_list_as_json()
    {
        var models = await CliRunner.RunAsync("models", "list", "--server", silo.Url, "--json");
        var cluster = await CliRunner.RunAsync("cluster", "--server", silo.Url, "--json");
        var table = await CliRunner.RunAsync("models", "--server", silo.Url);

        Assert.True(models.ExitCode == 0, models.Error);
        using (var json = JsonDocument.Parse(models.Output))
        {
            Assert.Contains(json.RootElement.EnumerateArray(), m => m.GetProperty("id").GetString() == "sam-demo");
        }

        using (var json = JsonDocument.Parse(cluster.Output))
        {
            Assert.Single(json.RootElement.GetProperty("silos").EnumerateArray());
        }

        Assert.Contains("lama-demo", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_arguments_exit_2_and_an_unreachable_server_exits_3()
    {
        var badPoint = await CliRunner.RunAsync("segment", "abc", "--point", "1,x", "-o", "m.png", "--server", silo.Url);
        var badLabel = await CliRunner.RunAsync("segment", "abc", "--point", "1,2,5", "-o", "m.png", "--server", silo.Url);
        var unreachable = await CliRunner.RunAsync("cluster", "--server", $"http://127.0.0.1:{KestrelSilo.FreePort()}");

        Assert.Equal(2, badPoint.ExitCode);
        Assert.Contains("--point", badPoint.Error, StringComparison.Ordinal);
        Assert.Equal(2, badLabel.ExitCode);
        Assert.Equal(3, unreachable.ExitCode);
    }

    [Fact]
    public async Task Server_errors_exit_1_with_the_server_message()
    {
        var folder = Directory.CreateTempSubdirectory("atelier-cli-").FullName;
        var image = Path.Combine(folder, "scene.png");
        await File.WriteAllBytesAsync(image, TestImages.Png(Width, Height));
        var open = await CliRunner.RunAsync("open", image, "--server", silo.Url);

        var outside = await CliRunner.RunAsync("segment", open.Output.Trim(), "--point", "5000,10", "-o", Path.Combine(folder, "m.png"), "--server", silo.Url);

        Assert.Equal(1, outside.ExitCode);
        Assert.Contains("invalid_prompt (400)", outside.Error, StringComparison.Ordinal);
        Assert.Contains("points[0]", outside.Error, StringComparison.Ordinal);
    }
}
