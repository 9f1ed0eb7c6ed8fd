using System.Diagnostics;
using System.Text.Json;
using Atelier.Models.Forge.Writer;
using Atelier.Models.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Bench;

/// <summary>
/// ONNX Runtime's managed package (Microsoft.ML.OnnxRuntime, as the product drives it: OrtValue inputs over
/// caller memory, <see cref="OnnxSessions.Run"/> with a cancellable token) beside onnxruntime-node:
/// (a) ISNet small inference on a 1024² input; (b) per-call overhead of a 1-element Add model.
/// Both sides use the same intra-op thread count and session options; medians are compared as ratios.
/// Arguments: [threads] (default: all cores; the global pool when it has that size, else per-session threads).
/// </summary>
internal sealed class OnnxBenchmark : IBenchmark
{
    private const int Rounds = 3;
    private const int IsNetWarmup = 1;
    private const int IsNetRuns = 3;
    private const int AddWarmup = 5_000;
    private const int AddBatches = 5;
    private const int AddCallsPerBatch = 2_000;
    private const int Side = 1024;

    private static readonly string[] IsNetInputs = ["input"];
    private static readonly string[] IsNetOutputs = ["output"];
    private static readonly string[] AddInputs = ["a", "b"];
    private static readonly string[] AddOutputs = ["y"];
    private static readonly long[] Scalar = [1];

    public string Name => "onnx";

    public string Description => "ISNet small inference and 1-element Add per-call overhead: ONNX Runtime managed package vs onnxruntime-node";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var threads = context.Arguments.Count > 0 ? int.Parse(context.Arguments[0], System.Globalization.CultureInfo.InvariantCulture) : Environment.ProcessorCount;
        var modelPath = Path.Combine(context.CacheRoot, "assets", "isnet-small.onnx");
        var nodeModules = Path.Combine(context.CacheRoot, "node", "node_modules");
        var script = Path.Combine(context.RepositoryRoot, "bench", "node", "ort-bench.js");
        if (!File.Exists(modelPath) || !Directory.Exists(Path.Combine(nodeModules, "onnxruntime-node")))
        {
            throw new InvalidOperationException("The setup cache is incomplete (ISNet model or onnxruntime-node missing); run ./build.sh setup.");
        }

        var options = SessionOptionsFor(threads);
        var addPath = Path.Combine(Path.GetTempPath(), $"atelier-bench-add-{Environment.ProcessId}.onnx");
        new OnnxModelBuilder("add1")
            .Input("a", TensorElementType.Float, 1)
            .Input("b", TensorElementType.Float, 1)
            .Node("Add", ["a", "b"], ["y"])
            .Output("y", TensorElementType.Float, 1)
            .Save(addPath);
        try
        {
            // Rounds alternate the two sides so that load from elsewhere on the machine hits both alike.
            // Node reloads its session each round (load time is not measured); Atelier keeps one.
            using var isNetSession = OnnxSessions.Open(modelPath, options).Session;
            using var addSession = OnnxSessions.Open(addPath, options).Session;
            var image = StructuredImage();
            List<double> atelierIsNetSamples = [], nodeIsNetSamples = [], atelierAddSamples = [], nodeAddSamples = [];
            for (var round = 0; round < Rounds; round++)
            {
                atelierIsNetSamples.AddRange(MeasureIsNet(isNetSession, image, IsNetWarmup, IsNetRuns, cancellationToken));
                nodeIsNetSamples.AddRange(await RunNodeAsync(script, nodeModules, ["isnet", modelPath, $"{threads}", $"{IsNetWarmup}", $"{IsNetRuns}"], cancellationToken).ConfigureAwait(false));
                atelierAddSamples.AddRange(MeasureAdd(addSession, AddWarmup, AddBatches, AddCallsPerBatch, cancellationToken));
                nodeAddSamples.AddRange(await RunNodeAsync(script, nodeModules, ["add", addPath, $"{threads}", $"{AddWarmup}", $"{AddBatches}", $"{AddCallsPerBatch}"], cancellationToken).ConfigureAwait(false));
            }

            var atelierIsNet = Median([.. atelierIsNetSamples]);
            var nodeIsNet = Median([.. nodeIsNetSamples]);
            var atelierAdd = Median([.. atelierAddSamples]);
            var nodeAdd = Median([.. nodeAddSamples]);

            var output = context.Output;
            output.WriteLine($"ONNX Runtime {OnnxRuntimeEnvironment.Version} (managed package, {ThreadPoolName(options)} thread pool) vs onnxruntime-node, {threads} intra-op thread(s) on both sides, sequential execution, all graph optimizations.");
            output.WriteLine($"{Rounds} alternating rounds per side. ISNet: median of {Rounds * IsNetRuns} runs ({IsNetWarmup} warm-up per round), input [1,3,{Side},{Side}] wrapped per run. Add: median of {Rounds * AddBatches} batches of {AddCallsPerBatch:N0} calls ({AddWarmup:N0} warm-up calls per round); a call creates both input tensors, runs and reads the result.");
            output.WriteLine();
            output.WriteLine("| Scenario | Atelier | onnxruntime-node | Atelier / node |");
            output.WriteLine("|---|---:|---:|---:|");
            output.WriteLine($"| (a) ISNet small inference, ms | {atelierIsNet:F1} | {nodeIsNet:F1} | {atelierIsNet / nodeIsNet:F2} |");
            output.WriteLine($"| (b) 1-element Add per call, µs | {atelierAdd * 1000:F2} | {nodeAdd * 1000:F2} | {atelierAdd / nodeAdd:F2} |");
        }
        finally
        {
            File.Delete(addPath);
        }
    }

    /// <summary>
    /// Session options with <paramref name="threads"/> intra-op threads: the process's global pool (the product's setting)
    /// when it was created with that many threads, else a pool of the session's own.
    /// </summary>
    internal static InferenceSessionOptions SessionOptionsFor(int threads) =>
        OnnxRuntimeEnvironment.Options?.IntraOpThreads == threads
            ? new InferenceSessionOptions()
            : new InferenceSessionOptions { UseGlobalThreadPool = false, IntraOpThreads = threads, InterOpThreads = 1 };

    internal static string ThreadPoolName(InferenceSessionOptions options) => options.UseGlobalThreadPool ? "global" : "per-session";

    /// <summary>Times <paramref name="runs"/> ISNet runs on a <c>[1,3,1024,1024]</c> input (wrapped per run) after <paramref name="warmup"/> untimed ones.</summary>
    internal static double[] MeasureIsNet(InferenceSession session, float[] data, int warmup, int runs, CancellationToken cancellationToken)
    {
        var samples = new double[runs];
        for (var i = -warmup; i < runs; i++)
        {
            var start = Stopwatch.GetTimestamp();
            using (var input = OrtValue.CreateTensorValueFromMemory(data, [1, 3, Side, Side]))
            using (var outputs = OnnxSessions.Run(session, IsNetInputs, [input], IsNetOutputs, cancellationToken))
            {
                _ = outputs[0].GetTensorDataAsSpan<float>()[0];
            }

            if (i >= 0)
            {
                samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }

        return samples;
    }

    /// <summary>Per-call milliseconds of a 1-element Add (two input tensors created, run, result read), one sample per batch.</summary>
    internal static double[] MeasureAdd(InferenceSession session, int warmup, int batches, int callsPerBatch, CancellationToken cancellationToken)
    {
        var a = new[] { 1.5f };
        var b = new[] { 2.5f };
        var sink = 0f;
        for (var i = 0; i < warmup; i++)
        {
            sink += Call();
        }

        var samples = new double[batches];
        for (var batch = 0; batch < batches; batch++)
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < callsPerBatch; i++)
            {
                sink += Call();
            }

            samples[batch] = Stopwatch.GetElapsedTime(start).TotalMilliseconds / callsPerBatch;
        }

        if (sink != 4f * (warmup + (batches * callsPerBatch)))
        {
            throw new InvalidOperationException("Unexpected Add result.");
        }

        return samples;

        float Call()
        {
            using var ta = OrtValue.CreateTensorValueFromMemory(a, Scalar);
            using var tb = OrtValue.CreateTensorValueFromMemory(b, Scalar);
            using var outputs = OnnxSessions.Run(session, AddInputs, [ta, tb], AddOutputs, cancellationToken);
            return outputs[0].GetTensorDataAsSpan<float>()[0];
        }
    }

    /// <summary>Runs bench/node/ort-bench.js with <paramref name="arguments"/> and returns its <c>samplesMs</c>.</summary>
    internal static async Task<double[]> RunNodeAsync(string script, string nodeModules, string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NODE_PATH"] = nodeModules;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"onnxruntime-node benchmark failed: {await stderr.ConfigureAwait(false)}");
        }

        using var json = JsonDocument.Parse(await stdout.ConfigureAwait(false));
        return json.RootElement.GetProperty("samplesMs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
    }

    /// <summary>A bright disk on a gradient, minus 0.5 (the same pattern the node script builds).</summary>
    internal static float[] StructuredImage()
    {
        var data = new float[3 * Side * Side];
        for (var c = 0; c < 3; c++)
        {
            for (var y = 0; y < Side; y++)
            {
                for (var x = 0; x < Side; x++)
                {
                    var dx = x - (Side / 2);
                    var dy = y - (Side / 2);
                    var inside = (dx * dx) + (dy * dy) < (Side / 4) * (Side / 4);
                    data[(c * Side * Side) + (y * Side) + x] = (inside ? 0.9f - (0.1f * c) : 0.1f + (0.2f * x / Side)) - 0.5f;
                }
            }
        }

        return data;
    }

    private static double Median(double[] samples) => BenchContext.Median(samples);
}
