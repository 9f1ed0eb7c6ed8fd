using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Atelier.Models.Forge;
using Atelier.Models.Store;
using Atelier.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Atelier.Silo.Tests.KServe;

/// <summary>
/// <c>inference.GRPCInferenceService</c> on the silo's real gRPC port, driven by an independent client (@grpc/grpc-js with
/// proto/kserve/grpc_service.proto): health, metadata, raw-content inference equal to the REST binary result, and the
/// status codes of the spec's errors.
/// </summary>
public sealed class KServeGrpcTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("atelier-kserve-grpc-").FullName;
    private readonly int _httpPort = FreePort();
    private readonly int _grpcPort = FreePort();
    private WebApplication? _app;

    public async Task InitializeAsync()
    {
        await TypesDemoForge.WriteAsync(Path.Combine(_root, TypesDemoForge.Id), CancellationToken.None);
        // The default segmenter: without it the silo is (rightly) not ready.
        Directory.CreateSymbolicLink(Path.Combine(_root, "sam-demo"), Path.Combine(ProtocolFixture.CacheModels, "sam-demo"));
        var builder = WebApplication.CreateBuilder([
            $"--urls=http://127.0.0.1:{_httpPort}",
            $"--Grpc:Port={_grpcPort}",
            "--Silo:Name=test-silo",
            "--Security:RatePerSecond=0",
            $"--Models:Store:RootPath={_root}",
            "--Sessions:DefaultModel=sam-demo",
        ]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddAtelierSilo();
        _app = builder.Build();
        _app.MapAtelierSilo();
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Grpc_js_client_gets_the_rest_binary_result_and_the_spec_status_codes()
    {
        V2Tensor[] inputs =
        [
            V2Tensor.Of("fp32", [2, 4], 1.5f, -2f, 3.25f, 4f, 0f, -0.5f, 1e-3f, 65504f),
            V2Tensor.OfHalf("fp16", [2, 4], 1f, 2f, -0.5f, 0.25f, 3f, 4f, 5f, 6f),
            V2Tensor.Of("int64", [2, 4], 1L << 50, -3L, 0L, 7L, 8L, 9L, 10L, 11L),
            V2Tensor.Of("int32", [2, 4], -7, 7, 0, 1, 2, 3, 4, 5),
            V2Tensor.Of("uint8", [2, 4], (byte)0, (byte)255, (byte)3, (byte)4, (byte)5, (byte)6, (byte)7, (byte)8),
            V2Tensor.Of("bool", [2, 4], true, false, false, true, true, true, false, false),
        ];
        var inputsFile = Path.Combine(_root, "inputs.json");
        await File.WriteAllTextAsync(inputsFile, new JsonArray(inputs.Select(i => (JsonNode)new JsonObject
        {
            ["name"] = i.Name,
            ["datatype"] = i.Datatype,
            ["shape"] = new JsonArray(i.Shape.Select(d => (JsonNode)d).ToArray()),
            ["raw"] = Convert.ToBase64String(i.Raw),
        }).ToArray()).ToJsonString());
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_httpPort}/") };
        await WaitUntilReadyAsync(http); // as an orchestrator's readiness probe would before sending traffic
        using var rest = await http.PostAsync(new Uri("v2/models/types-demo/infer", UriKind.Relative), V2Client.Binary(inputs));
        var (_, expected) = await V2Client.ReadAsync(rest);

        using var result = await RunNodeAsync($"127.0.0.1:{_grpcPort}", ProtoRoot, inputsFile);
        var root = result.RootElement;

        Assert.True(root.GetProperty("live").GetBoolean());
        Assert.True(root.GetProperty("ready").GetBoolean());
        Assert.Equal("atelier", root.GetProperty("server").GetProperty("name").GetString());
        Assert.Contains("binary_tensor_data", root.GetProperty("server").GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("onnxruntime_onnx", root.GetProperty("metadata").GetProperty("platform").GetString());
        Assert.Equal(6, root.GetProperty("metadata").GetProperty("inputs").GetArrayLength());
        var infer = root.GetProperty("infer");
        Assert.Equal("grpc-1", infer.GetProperty("id").GetString());
        Assert.Equal(6, infer.GetProperty("outputs").GetArrayLength());
        foreach (var output in infer.GetProperty("outputs").EnumerateArray())
        {
            var name = output.GetProperty("name").GetString()!;
            Assert.Equal(expected[name].Datatype, output.GetProperty("datatype").GetString());
            Assert.Equal(expected[name].Shape, output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
            Assert.Equal(expected[name].Raw, Convert.FromBase64String(output.GetProperty("raw").GetString()!));
        }

        Assert.True(root.GetProperty("modelReady").GetBoolean());
        var status = root.GetProperty("status");
        Assert.Equal(5, status.GetProperty("unknownModel").GetInt32());      // NOT_FOUND
        Assert.Equal(3, status.GetProperty("shapeMismatch").GetInt32());     // INVALID_ARGUMENT
        Assert.Equal(3, status.GetProperty("wrongRawCount").GetInt32());
        Assert.Equal(3, status.GetProperty("typedFp16").GetInt32());
        Assert.Equal(5, status.GetProperty("unknownMetadata").GetInt32());
    }

    private static async Task WaitUntilReadyAsync(HttpClient http)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            using var ready = await http.GetAsync(new Uri("v2/health/ready", UriKind.Relative), deadline.Token);
            if (ready.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            await Task.Delay(100, deadline.Token);
        }
    }

    private static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "proto", "kserve", "grpc_service.proto")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("proto/kserve/grpc_service.proto was not found above " + AppContext.BaseDirectory);
        }
    }

    private static string ProtoRoot => Path.Combine(RepoRoot, "proto");

    private static async Task<JsonDocument> RunNodeAsync(params string[] arguments)
    {
        var modules = Path.Combine(AtelierCache.FindRoot() ?? throw new InvalidOperationException("no .atelier cache: run ./build.sh setup"), "node", "grpc", "node_modules");
        Assert.True(File.Exists(Path.Combine(modules, "@grpc", "grpc-js", "package.json")), "@grpc/grpc-js is missing under .atelier/node/grpc: run ./build.sh setup");
        var info = new ProcessStartInfo("node", [Path.Combine(RepoRoot, "tests", "Silo.Tests", "KServe", "node", "kserve_grpc.js"), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["NODE_PATH"] = modules;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
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
        Assert.True(process.ExitCode == 0, $"node exited {process.ExitCode}: {await stderr}\n{output}");
        return JsonDocument.Parse(output);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
