using System.Globalization;
using Atelier.Bench.Infrastructure;
using Atelier.Models.Forge.Writer;
using Atelier.Models.Onnx;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Bench.Suite;

/// <summary>
/// P3: ONNX Runtime's managed NuGet package (Microsoft.ML.OnnxRuntime, driven the way the adapters drive it:
/// OrtValue inputs, the global thread pool, RunOptions per cancellable run) against onnxruntime-node (an
/// independent client of the same engine, <c>.atelier/node</c>) on ISNet small (<c>[1,3,1024,1024]</c>), and the
/// per-call overhead of a 1-element Add model. Same intra-op thread count and session options on both sides;
/// rounds alternate the sides (Node reloads its session each round, untimed, with one untimed warm-up run). Uses
/// the building blocks of <see cref="OnnxBenchmark"/> and bench/node/ort-bench.js. Target: Atelier / node ≤ 1.00
/// for ISNet; the per-call figure is reported against the hand-written binding's 4.7 µs and Node's 19 µs.
/// </summary>
internal sealed class P3OnnxRuntime : ISuiteScenario
{
    private const int AddWarmup = 2_000;
    private const int AddBatches = 4;
    private const int AddCallsPerBatch = 2_000;

    public string Id => "P3";

    public string What => "ONNX Runtime managed package vs onnxruntime-node: ISNet small inference and 1-element Add per-call overhead";

    public async Task<ScenarioResult> RunAsync(SuiteContext context, CancellationToken cancellationToken)
    {
        var threads = Environment.ProcessorCount;
        var cache = context.Bench.CacheRoot;
        var modelPath = Path.Combine(cache, "assets", "isnet-small.onnx");
        var nodeModules = Path.Combine(cache, "node", "node_modules");
        var script = Path.Combine(context.Bench.RepositoryRoot, "bench", "node", "ort-bench.js");
        if (!File.Exists(modelPath) || !Directory.Exists(Path.Combine(nodeModules, "onnxruntime-node")))
        {
            throw new InvalidOperationException("The setup cache is incomplete (ISNet model or onnxruntime-node missing); run ./build.sh setup.");
        }

        var options = OnnxBenchmark.SessionOptionsFor(threads);
        var addPath = Path.Combine(Path.GetTempPath(), $"atelier-suite-add-{Environment.ProcessId}.onnx");
        new OnnxModelBuilder("add1")
            .Input("a", TensorElementType.Float, 1)
            .Input("b", TensorElementType.Float, 1)
            .Node("Add", ["a", "b"], ["y"])
            .Output("y", TensorElementType.Float, 1)
            .Save(addPath);
        try
        {
            using var isNet = OnnxSessions.Open(modelPath, options).Session;
            using var add = OnnxSessions.Open(addPath, options).Session;
            var input = OnnxBenchmark.StructuredImage();
            var runs = context.Options.OnnxRunsPerRound;
            OnnxBenchmark.MeasureIsNet(isNet, input, 1, 0, cancellationToken); // warm-up, once: Atelier keeps its session
            List<double> atelierIsNet = [], nodeIsNet = [], atelierAdd = [], nodeAdd = [];
            for (var round = 0; round < context.Options.OnnxRounds; round++)
            {
                context.Log($"P3 round {round + 1}/{context.Options.OnnxRounds}");
                atelierIsNet.AddRange(OnnxBenchmark.MeasureIsNet(isNet, input, 0, runs, cancellationToken));
                nodeIsNet.AddRange(await OnnxBenchmark.RunNodeAsync(script, nodeModules, ["isnet", modelPath, Invariant(threads), "1", Invariant(runs)], cancellationToken).ConfigureAwait(false));
                atelierAdd.AddRange(OnnxBenchmark.MeasureAdd(add, AddWarmup, AddBatches, AddCallsPerBatch, cancellationToken));
                nodeAdd.AddRange(await OnnxBenchmark.RunNodeAsync(script, nodeModules, ["add", addPath, Invariant(threads), Invariant(AddWarmup), Invariant(AddBatches), Invariant(AddCallsPerBatch)], cancellationToken).ConfigureAwait(false));
            }

            var (ai, ni, aa, na) = (Stats.Of(atelierIsNet), Stats.Of(nodeIsNet), Stats.Of(atelierAdd), Stats.Of(nodeAdd));
            var isNetRatio = ai.Median / ni.Median;
            var addRatio = aa.Median / na.Median;
            var met = isNetRatio <= 1.00 && addRatio <= 1.00;
            return new ScenarioResult(Id, What, Math.Round(isNetRatio, 3), "× (Atelier / node, ISNet median)", "≤ 1.00 (ISNet and per-call)", met, new Dictionary<string, object>
            {
                ["onnxRuntime"] = "Microsoft.ML.OnnxRuntime " + OnnxRuntimeEnvironment.Version + " (managed package); onnxruntime-node " + NodeVersion(nodeModules),
                ["threads"] = threads,
                ["threadPool"] = OnnxBenchmark.ThreadPoolName(options),
                ["isnetAtelierMedianMs"] = Math.Round(ai.Median, 1),
                ["isnetNodeMedianMs"] = Math.Round(ni.Median, 1),
                ["isnetRunsPerSide"] = atelierIsNet.Count,
                ["perCallRatio"] = Math.Round(addRatio, 3),
                ["perCallAtelierUs"] = Math.Round(aa.Median * 1000, 2),
                ["perCallNodeUs"] = Math.Round(na.Median * 1000, 2),
                ["perCallBatches"] = string.Create(CultureInfo.InvariantCulture, $"{atelierAdd.Count} x {AddCallsPerBatch} calls per side"),
                ["perCallHandWrittenBindingUs"] = HandWrittenBindingPerCallUs,
                ["note"] = met ? "both ratios within target" : "target missed on " + (isNetRatio > 1 ? "ISNet" : "") + (isNetRatio > 1 && addRatio > 1 ? " and " : "") + (addRatio > 1 ? "per-call overhead" : "") + " (see docs/benchmarks.md for noise on a shared machine)",
            });
        }
        finally
        {
            File.Delete(addPath);
        }
    }

    /// <summary>
    /// The per-call figure of the hand-written C-API binding this package replaced, from bench/results/latest.json of
    /// 2026-11-22 (node 19.3 µs in the same run); kept as the reference the issue asks the new figure to be read against.
    /// </summary>
    private const double HandWrittenBindingPerCallUs = 4.72;

    private static string NodeVersion(string nodeModules)
    {
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(nodeModules, "onnxruntime-node", "package.json")));
        return json.RootElement.GetProperty("version").GetString() ?? "?";
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
