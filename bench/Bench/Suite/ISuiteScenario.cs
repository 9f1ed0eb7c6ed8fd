namespace Atelier.Bench.Suite;

/// <summary>One scenario of the suite (P1..P7): measures its candidates side by side and judges its target.</summary>
internal interface ISuiteScenario
{
    /// <summary><c>P1</c>..<c>P7</c>.</summary>
    string Id { get; }

    /// <summary>What is measured, one line.</summary>
    string What { get; }

    Task<ScenarioResult> RunAsync(SuiteContext context, CancellationToken cancellationToken);
}
