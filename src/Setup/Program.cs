using Atelier.Setup;
using Atelier.Setup.Steps;

// Usage: Atelier.Setup [--cache <dir>]
// Idempotent: every step checks the cache first, so a second run does no work and prints "ok (cached)".
var cache = args.Length == 2 && args[0] == "--cache"
    ? args[1]
    : Environment.GetEnvironmentVariable("ATELIER_HOME") is { Length: > 0 } home ? home : Path.Combine(Environment.CurrentDirectory, ".atelier");

var context = new SetupContext(cache, Console.Out);
ISetupStep[] steps = [new SystemLibrariesStep(), new IsnetModelsStep(), new RegisterModelsStep(), new DemoModelsStep(), new NodeReferenceStep(), new GrpcNodeStep(), new EditorBrowserStep()];
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
try
{
    foreach (var step in steps)
    {
        await step.RunAsync(context, cts.Token);
    }

    return 0;
}
catch (SetupException e)
{
    Console.Error.WriteLine($"setup: FAILED: {e.Message}");
    return 1;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("setup: cancelled");
    return 130;
}
