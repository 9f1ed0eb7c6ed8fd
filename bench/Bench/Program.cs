using System.Reflection;
using Atelier.Bench;
using Atelier.Models.Onnx;

// Usage: Atelier.Bench [scenario|all] [args...]
var scenarios = typeof(IBenchmark).Assembly.GetTypes()
    .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(IBenchmark).IsAssignableFrom(t))
    .Select(t => (IBenchmark)Activator.CreateInstance(t, nonPublic: true)!)
    .OrderBy(b => b.Name, StringComparer.Ordinal)
    .ToList();

var root = FindRepositoryRoot(AppContext.BaseDirectory) ?? FindRepositoryRoot(Environment.CurrentDirectory)
    ?? throw new InvalidOperationException("Run the benchmarks from inside the Atelier repository.");
var name = args.Length > 0 ? args[0] : "all";
var selected = name == "all" ? scenarios : scenarios.Where(s => s.Name == name).ToList();
if (selected.Count == 0)
{
    Console.Error.WriteLine($"Unknown benchmark '{name}'. Available: all, {string.Join(", ", scenarios.Select(s => s.Name))}");
    return 2;
}

// The in-process ONNX Runtime of every benchmark: the product's global thread pool, sized to all cores (onnxruntime-node
// gets the same intra-op thread count in P3 and the onnx benchmark).
OnnxRuntimeEnvironment.Initialize(new OnnxRuntimeOptions { IntraOpThreads = Environment.ProcessorCount, InterOpThreads = 1 });

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
Console.WriteLine($"Atelier benchmarks: {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}");
foreach (var scenario in selected)
{
    Console.WriteLine();
    Console.WriteLine($"## {scenario.Name}: {scenario.Description}");
    await scenario.RunAsync(new BenchContext(root, args.Skip(1).ToArray(), Console.Out), cts.Token);
}

return 0;

static string? FindRepositoryRoot(string start)
{
    for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Orleans.sln")))
        {
            return dir.FullName;
        }
    }

    return null;
}
