using System.Text.Json;

namespace Atelier.Bench.Tests;

/// <summary>The results committed with the suite (bench/results/latest.*) are what the issue asks for.</summary>
public sealed class CommittedResultsTests
{
    [Fact]
    public void Committed_latest_json_follows_the_issue_schema()
    {
        var path = Path.Combine(ResultsSchema.RepositoryRoot(), "bench", "results", "latest.json");

        using var document = JsonDocument.Parse(File.ReadAllText(path));

        ResultsSchema.AssertValid(document.RootElement);
    }

    [Theory]
    [InlineData("latest.json")]
    [InlineData("latest.md")]
    public void Committed_results_are_utf8_without_a_byte_order_mark(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(ResultsSchema.RepositoryRoot(), "bench", "results", file));

        Assert.False(bytes.AsSpan().StartsWith((byte[])[0xEF, 0xBB, 0xBF]), $"{file} starts with a UTF-8 BOM");
    }

    [Fact]
    public void Committed_latest_md_has_every_scenario_the_command_cores_and_date()
    {
        var markdown = File.ReadAllText(Path.Combine(ResultsSchema.RepositoryRoot(), "bench", "results", "latest.md"));

        foreach (var id in ResultsSchema.Scenarios)
        {
            Assert.Contains($"| {id} |", markdown, StringComparison.Ordinal);
        }

        Assert.Contains("-- suite", markdown, StringComparison.Ordinal);
        Assert.Matches(@"\d+ cores", markdown);
        Assert.Matches(@"Date: \d{4}-\d{2}-\d{2}", markdown);
    }
}
