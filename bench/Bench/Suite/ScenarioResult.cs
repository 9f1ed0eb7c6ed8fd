namespace Atelier.Bench.Suite;

/// <summary>
/// The outcome of one P-scenario as <c>latest.json</c> stores it: <c>{"value", "unit", "target", "met", "detail"}</c>.
/// <see cref="What"/> is the one-line description shown in the markdown table (not in the JSON).
/// </summary>
internal sealed record ScenarioResult(
    string Id,
    string What,
    double Value,
    string Unit,
    string Target,
    bool Met,
    IReadOnlyDictionary<string, object> Detail);
