using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Atelier.Bench.Suite;

/// <summary>
/// The benchmark suite of issue 11: P1..P7 against real components on this machine (silo processes,
/// redis-server, ONNX Runtime, onnxruntime-node), one after the other in one run, each measuring its
/// candidates side by side. Writes <c>bench/results/latest.md</c> and <c>latest.json</c> (a run limited
/// with <c>only=…</c> writes <c>partial.*</c> instead). Arguments: see <see cref="SuiteOptions"/>.
/// </summary>
internal sealed class SuiteBenchmark : IBenchmark
{
    private static readonly ISuiteScenario[] Scenarios =
    [
        new P1ServingOverhead(),
        new P2StickyVsStateless(),
        new P3OnnxRuntime(),
        new P4ForwardingHop(),
        new P5Concurrency(),
        new P6ModelSwap(),
        new P7SessionMemory(),
    ];

    public string Name => "suite";

    public string Description => "P1..P7 (issue 11): writes bench/results/latest.md and latest.json";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var options = SuiteOptions.Parse(context.Arguments);
        if (options.MemoryChild is { } precision)
        {
            await using var child = await SuiteContext.CreateAsync(context, options, cancellationToken).ConfigureAwait(false);
            await P7SessionMemory.RunChildAsync(child, precision, cancellationToken).ConfigureAwait(false);
            return;
        }

        var command = "dotnet run -c Release --project bench/Bench -- suite" + string.Concat(context.Arguments.Select(a => " " + a));
        var date = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var results = new List<ScenarioResult>();
        await using (var suite = await SuiteContext.CreateAsync(context, options, cancellationToken).ConfigureAwait(false))
        {
            foreach (var scenario in Scenarios.Where(s => options.Only.Contains(s.Id)))
            {
                context.Output.WriteLine();
                context.Output.WriteLine($"### {scenario.Id}: {scenario.What}");
                var started = Stopwatch.GetTimestamp();
                ScenarioResult result;
                try
                {
                    result = await scenario.RunAsync(suite, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A broken scenario is reported as such (not met, with the error) and the others still run.
                    result = new ScenarioResult(scenario.Id, scenario.What, 0, "error", "see detail", false,
                        new Dictionary<string, object> { ["error"] = $"{e.GetType().Name}: {e.Message}" });
                }

                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{result.Id} = {result.Value} {result.Unit} (target {result.Target}): {(result.Met ? "met" : "NOT met")} in {seconds:F0} s"));
                results.Add(result);
            }
        }

        var complete = results.Count == Scenarios.Length;
        var folder = Path.Combine(context.RepositoryRoot, options.ResultsFolder);
        Directory.CreateDirectory(folder);
        var stem = complete ? "latest" : "partial";
        var markdown = ResultWriter.Markdown(results, date, command, clock.Elapsed);
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        await File.WriteAllTextAsync(Path.Combine(folder, stem + ".json"), ResultWriter.Json(results, date), utf8, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(folder, stem + ".md"), markdown, utf8, cancellationToken).ConfigureAwait(false);
        context.Output.WriteLine();
        context.Output.WriteLine(markdown);
        context.Output.WriteLine($"Wrote {Path.Combine(options.ResultsFolder, stem)}.md and .json ({clock.Elapsed.TotalMinutes:F1} min).");
    }
}
