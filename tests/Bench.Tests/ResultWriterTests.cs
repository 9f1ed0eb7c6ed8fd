using System.Text.Json;
using Atelier.Bench.Suite;

namespace Atelier.Bench.Tests;

public sealed class ResultWriterTests
{
    private static readonly DateTimeOffset Date = new(2026, 11, 22, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void Json_has_P1_to_P7_each_with_value_unit_target_met_detail_then_machine_and_date()
    {
        var json = ResultWriter.Json(Results(), Date);

        using var document = JsonDocument.Parse(json);
        ResultsSchema.AssertValid(document.RootElement);
        var p5 = document.RootElement.GetProperty("P5");
        Assert.Equal(12.5, p5.GetProperty("value").GetDouble());
        Assert.False(p5.GetProperty("met").GetBoolean());
        Assert.Equal(64, p5.GetProperty("detail").GetProperty("levels")[1].GetProperty("sessions").GetInt32());
        Assert.Equal(Environment.ProcessorCount, document.RootElement.GetProperty("machine").GetProperty("cores").GetInt32());
        Assert.Equal("2026-11-22T03:04:05Z", document.RootElement.GetProperty("date").GetString());
    }

    [Fact]
    public void Markdown_has_one_row_per_scenario_with_met_the_command_and_the_machine()
    {
        var markdown = ResultWriter.Markdown(Results(), Date, "dotnet run -c Release --project bench/Bench -- suite", TimeSpan.FromMinutes(5.5));

        var rows = markdown.Split('\n').Where(l => l.StartsWith("| P", StringComparison.Ordinal)).ToArray();
        Assert.Equal(ResultsSchema.Scenarios, rows.Select(r => r.Split('|')[1].Trim()).ToArray());
        Assert.Contains("| **no** |", rows[4], StringComparison.Ordinal);
        Assert.Contains("| yes |", rows[0], StringComparison.Ordinal);
        Assert.Contains("levels: [{sessions=1, clicksPerSecond=3.25}, {sessions=64, clicksPerSecond=12.5}]", rows[4], StringComparison.Ordinal);
        Assert.Contains("a \\| b", rows[0], StringComparison.Ordinal); // a pipe in a detail must not break the table
        Assert.Contains("`dotnet run -c Release --project bench/Bench -- suite`", markdown, StringComparison.Ordinal);
        Assert.Contains($"{Environment.ProcessorCount} cores", markdown, StringComparison.Ordinal);
        Assert.Contains("2026-11-22 03:04 UTC", markdown, StringComparison.Ordinal);
    }

    private static List<ScenarioResult> Results() =>
    [
        .. ResultsSchema.Scenarios.Select(id => id == "P5"
            ? new ScenarioResult(id, "throughput", 12.5, "clicks/s", "≥ 0.9 × cores / decoder time", false, new Dictionary<string, object>
            {
                ["levels"] = new List<Dictionary<string, object>>
                {
                    new() { ["sessions"] = 1, ["clicksPerSecond"] = 3.25 },
                    new() { ["sessions"] = 64, ["clicksPerSecond"] = 12.5 },
                },
            })
            : new ScenarioResult(id, $"scenario {id}", 1.5, "ms", "≤ 1 ms", true, new Dictionary<string, object> { ["note"] = "a | b", ["samples"] = 40 })),
    ];
}
