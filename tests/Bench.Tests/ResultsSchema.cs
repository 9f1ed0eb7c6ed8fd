using System.Text.Json;

namespace Atelier.Bench.Tests;

/// <summary>The schema issue 11 fixes for bench/results/latest.json, checked key by key.</summary>
internal static class ResultsSchema
{
    public static readonly string[] Scenarios = ["P1", "P2", "P3", "P4", "P5", "P6", "P7"];

    public static void AssertValid(JsonElement root)
    {
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        Assert.Equal([.. Scenarios, "machine", "date"], root.EnumerateObject().Select(p => p.Name).ToArray());
        foreach (var id in Scenarios)
        {
            var scenario = root.GetProperty(id);
            Assert.Equal(["value", "unit", "target", "met", "detail"], scenario.EnumerateObject().Select(p => p.Name).ToArray());
            Assert.Equal(JsonValueKind.Number, scenario.GetProperty("value").ValueKind);
            Assert.False(string.IsNullOrWhiteSpace(scenario.GetProperty("unit").GetString()), $"{id}.unit");
            Assert.False(string.IsNullOrWhiteSpace(scenario.GetProperty("target").GetString()), $"{id}.target");
            Assert.True(scenario.GetProperty("met").ValueKind is JsonValueKind.True or JsonValueKind.False, $"{id}.met");
            Assert.Equal(JsonValueKind.Object, scenario.GetProperty("detail").ValueKind);
        }

        var machine = root.GetProperty("machine");
        Assert.Equal(["cores", "os"], machine.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.True(machine.GetProperty("cores").GetInt32() >= 1);
        Assert.False(string.IsNullOrWhiteSpace(machine.GetProperty("os").GetString()));
        Assert.True(DateTimeOffset.TryParse(root.GetProperty("date").GetString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out _));
    }

    /// <summary>The repository root (the folder holding Orleans.sln) above the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Orleans.sln not found above the test binaries.");
    }
}
