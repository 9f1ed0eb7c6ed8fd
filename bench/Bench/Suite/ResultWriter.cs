using System.Collections;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Atelier.Bench.Suite;

/// <summary>
/// Writes the suite's results: <c>latest.json</c> (keys <c>P1</c>..<c>P7</c>, each
/// <c>{value, unit, target, met, detail}</c>, plus <c>machine {cores, os}</c> and <c>date</c>) and
/// <c>latest.md</c> (the same as a table, with the command, the machine and the date).
/// </summary>
internal static class ResultWriter
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // keep ≤, ×, → readable; the file is not embedded in HTML
    };

    public static string Json(IReadOnlyList<ScenarioResult> results, DateTimeOffset date)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JsonOptions.Encoder }))
        {
            writer.WriteStartObject();
            foreach (var result in results)
            {
                writer.WritePropertyName(result.Id);
                writer.WriteStartObject();
                writer.WriteNumber("value", result.Value);
                writer.WriteString("unit", result.Unit);
                writer.WriteString("target", result.Target);
                writer.WriteBoolean("met", result.Met);
                writer.WritePropertyName("detail");
                JsonSerializer.Serialize(writer, result.Detail, JsonOptions);
                writer.WriteEndObject();
            }

            writer.WritePropertyName("machine");
            writer.WriteStartObject();
            writer.WriteNumber("cores", Environment.ProcessorCount);
            writer.WriteString("os", RuntimeInformation.OSDescription);
            writer.WriteEndObject();
            writer.WriteString("date", date.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    public static string Markdown(IReadOnlyList<ScenarioResult> results, DateTimeOffset date, string command, TimeSpan elapsed)
    {
        var text = new StringBuilder();
        var met = results.Count(r => r.Met);
        text.AppendLine("# Atelier benchmark suite: latest results");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- Command: `{command}`");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Date: {date:yyyy-MM-dd HH:mm} UTC; suite ran {elapsed.TotalMinutes:F1} min");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, CPU execution provider");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Targets met: {met} of {results.Count}");
        text.AppendLine();
        text.AppendLine("| scenario | what | value | target | met | detail |");
        text.AppendLine("|---|---|---:|---|:---:|---|");
        foreach (var r in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Id} | {Cell(r.What)} | {r.Value.ToString("0.###", CultureInfo.InvariantCulture)} {Cell(r.Unit)} | {Cell(r.Target)} | {(r.Met ? "yes" : "**no**")} | {Cell(Flatten(r.Detail))} |");
        }

        text.AppendLine();
        text.AppendLine("Ratios are measured side by side in one run (candidates interleaved); absolute times depend on the machine's load. See docs/benchmarks.md for what each scenario measures.");
        return text.ToString();
    }

    /// <summary>A detail object as one line: <c>key=value; nested: {key=value, …}; list: [{…}, …]</c>.</summary>
    private static string Flatten(object? value) => value switch
    {
        null => "null",
        string s => s,
        bool b => b ? "true" : "false",
        double d => d.ToString("0.###", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IDictionary<string, object> map => string.Join("; ", map.Select(kv => kv.Value is IDictionary<string, object> or IEnumerable and not string
            ? $"{kv.Key}: {Nested(kv.Value)}"
            : $"{kv.Key}={Flatten(kv.Value)}")),
        IEnumerable items => Nested(items),
        _ => value.ToString() ?? "",
    };

    private static string Nested(object value) => value switch
    {
        IDictionary<string, object> map => "{" + string.Join(", ", map.Select(kv => $"{kv.Key}={Nested(kv.Value)}")) + "}",
        IEnumerable items and not string => "[" + string.Join(", ", items.Cast<object>().Select(Nested)) + "]",
        _ => Flatten(value),
    };

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
