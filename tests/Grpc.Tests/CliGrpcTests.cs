using Atelier.Cli.Tests;
using Atelier.Grpc.Tests.Support;
using Atelier.Imaging;
using Atelier.Silo.Tests.Http;

namespace Atelier.Grpc.Tests;

/// <summary><c>atelier --grpc</c>: the same commands over the gRPC transport, against the real silo's gRPC port.</summary>
public sealed class CliGrpcTests(GrpcSilo silo) : IClassFixture<GrpcSilo>
{
    [Fact]
    public async Task Demo_over_grpc_writes_the_mask_and_the_edited_image()
    {
        var folder = Directory.CreateTempSubdirectory("atelier-cli-grpc-").FullName;
        var image = Path.Combine(folder, "scene.png");
        await File.WriteAllBytesAsync(image, TestImages.Png(120, 80));
        var maskPath = Path.Combine(folder, "mask.png");
        var outputPath = Path.Combine(folder, "erased.png");

        var result = await CliRunner.RunAsync("demo", image, "--point", "60,40", "--grpc", "--server", silo.GrpcUri.ToString(), "--mask-output", maskPath, "-o", outputPath);

        Assert.True(result.ExitCode == 0, result.Error);
        using var mask = ImageDecoder.DecodeMask(await File.ReadAllBytesAsync(maskPath), "image/png");
        Assert.True(mask[60, 40]);
        using var edited = ImageDecoder.Decode(await File.ReadAllBytesAsync(outputPath), "image/png");
        Assert.Equal((120, 80), (edited.Width, edited.Height));
    }

    [Fact]
    public async Task Server_errors_and_http_only_commands_exit_with_their_codes()
    {
        var server = silo.GrpcUri.ToString();

        var missing = await CliRunner.RunAsync("info", "AAAAAAAAAAAAAAAAAAAAAAAA", "--grpc", "--server", server);
        var cluster = await CliRunner.RunAsync("cluster", "--grpc", "--server", server);
        var models = await CliRunner.RunAsync("models", "--grpc", "--server", server, "--json");

        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("session_not_found (404)", missing.Error, StringComparison.Ordinal);
        Assert.Equal(2, cluster.ExitCode);
        Assert.Contains("HTTP", cluster.Error, StringComparison.Ordinal);
        Assert.True(models.ExitCode == 0, models.Error);
        Assert.Contains("sam-demo", models.Output, StringComparison.Ordinal);
    }
}
