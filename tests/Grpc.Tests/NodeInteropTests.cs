using Grpc.Core;
using System.Diagnostics;
using System.Text.Json;
using Atelier.Grpc.Tests.Support;
using Atelier.Silo.Tests.Http;

namespace Atelier.Grpc.Tests;

/// <summary>
/// An independent client, @grpc/grpc-js with protos loaded by @grpc/proto-loader, runs the whole flow against the real
/// silo: open (client stream), segment (PNG and, gzip-compressed, RLE), an Interact stream of 20 prompts, erase,
/// GetImage (server stream), close, and the status codes of bad requests, unknown sessions, expired deadlines and a
/// cancelled stream.
/// </summary>
public sealed class NodeInteropTests(GrpcSilo silo) : IClassFixture<GrpcSilo>
{
    private const int Width = 120;
    private const int Height = 80;

    [Fact]
    public async Task Grpc_js_client_runs_the_whole_session_flow()
    {
        var image = Path.Combine(Directory.CreateTempSubdirectory("atelier-grpc-").FullName, "disk.png");
        await File.WriteAllBytesAsync(image, TestImages.Png(Width, Height));

        using var result = await RunDriverAsync("interop.js", $"127.0.0.1:{silo.GrpcPort}", RepoPaths.ProtoRoot, image, $"{Width}", $"{Height}");
        var root = result.RootElement;

        Assert.Equal("SERVING", root.GetProperty("health").GetString());
        Assert.Contains("sam-demo", root.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        var open = root.GetProperty("open");
        Assert.Equal((Width, Height, 600), (open.GetProperty("width").GetInt32(), open.GetProperty("height").GetInt32(), open.GetProperty("ttlSeconds").GetInt32()));

        Assert.Equal("PNG", root.GetProperty("segmentPng").GetProperty("signature").GetString());
        var rle = root.GetProperty("segmentRle");
        Assert.Equal([Height, Width], rle.GetProperty("size").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal(1, rle.GetProperty("centre").GetInt32());
        Assert.Equal(0, rle.GetProperty("corner").GetInt32());

        // Every prompt is either answered or counted as dropped, and the newest one is always answered.
        var interact = root.GetProperty("interact");
        var replies = interact.GetProperty("replies").GetInt32();
        var seqs = interact.GetProperty("seqs").EnumerateArray().Select(s => s.GetInt32()).ToArray();
        Assert.InRange(replies, 1, 20);
        Assert.Equal(20, replies + interact.GetProperty("dropped").GetInt32());
        Assert.Equal(20, seqs[^1]);
        Assert.Equal(seqs.Order(), seqs);
        Assert.Equal(interact.GetProperty("dropped").GetInt32(), interact.GetProperty("lastDroppedTotal").GetInt32());
        Assert.True(interact.GetProperty("centresOn").GetBoolean(), "every interact mask covers the disk centre");

        var erase = root.GetProperty("erase");
        Assert.Equal(("PNG", 1), (erase.GetProperty("signature").GetString(), erase.GetProperty("version").GetInt32()));
        var image2 = root.GetProperty("image");
        Assert.Equal(image2.GetProperty("totalBytes").GetInt32(), image2.GetProperty("bytes").GetInt32());
        Assert.Equal(erase.GetProperty("bytes").GetInt32(), image2.GetProperty("bytes").GetInt32());
        Assert.Equal("image/png", image2.GetProperty("contentType").GetString());

        var status = root.GetProperty("status");
        Assert.Equal((int)StatusCode.InvalidArgument, status.GetProperty("badRequest").GetInt32());
        Assert.Equal((int)StatusCode.InvalidArgument, status.GetProperty("badDilate").GetInt32());
        Assert.Equal((int)StatusCode.NotFound, status.GetProperty("unknownSession").GetInt32());
        Assert.Equal((int)StatusCode.DeadlineExceeded, status.GetProperty("expiredDeadline").GetInt32());
        Assert.Equal((int)StatusCode.Cancelled, status.GetProperty("cancelledStream").GetInt32());
        Assert.True(root.GetProperty("afterCancel").GetBoolean(), "the session still answers after the cancelled stream");
        Assert.Equal((int)StatusCode.NotFound, root.GetProperty("closed").GetInt32());

        // The cancelled stream ended on the server too (RST_STREAM reached the handler).
        await silo.WaitForNoActiveCallsAsync();
        Assert.True(silo.Tracker.DroppedPrompts >= interact.GetProperty("dropped").GetInt32());
    }

    private static async Task<JsonDocument> RunDriverAsync(string script, params string[] arguments)
    {
        var info = new ProcessStartInfo("node", [RepoPaths.NodeDriver(script), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["NODE_PATH"] = RepoPaths.GrpcNodeModules;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"node {script} exited {process.ExitCode}: {await stderr}\n{output}");
        return JsonDocument.Parse(output);
    }
}
