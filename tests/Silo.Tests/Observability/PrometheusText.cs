using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Atelier.Silo.Tests.Observability;

/// <summary>One sample line: its name (with <c>_bucket</c>/<c>_sum</c>/<c>_count</c> for histograms), labels and value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Label(string name) => Labels.TryGetValue(name, out var value) ? value : "";
}

/// <summary>A metric family: TYPE, HELP and its samples in order.</summary>
public sealed record PrometheusFamily(string Name, string Type, string Help, List<PrometheusSample> Samples);

/// <summary>
/// A strict parser of the Prometheus text exposition format 0.0.4, written for the tests: it rejects anything a
/// scraper would reject or that breaks the format's rules (HELP/TYPE once per family and before its samples,
/// valid names, escaped label values, no duplicate series, counters ending in <c>_total</c> and never negative,
/// histograms with ascending cumulative buckets ending in <c>+Inf</c> equal to <c>_count</c>).
/// </summary>
public static partial class PrometheusText
{
    public static Dictionary<string, PrometheusFamily> Parse(string text)
    {
        Assert.False(string.IsNullOrEmpty(text), "empty exposition");
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", text, StringComparison.Ordinal);
        var families = new Dictionary<string, PrometheusFamily>(StringComparer.Ordinal);
        var seriesSeen = new HashSet<string>(StringComparer.Ordinal);
        var helps = new Dictionary<string, string>(StringComparer.Ordinal);
        var finished = new HashSet<string>(StringComparer.Ordinal);
        PrometheusFamily? current = null;
        var lineNumber = 0;
        foreach (var line in text[..^1].Split('\n'))
        {
            lineNumber++;
            var where = $"line {lineNumber}: '{line}'";
            Assert.False(line.Length == 0, $"{where}: empty line");
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var rest = line["# HELP ".Length..];
                var space = rest.IndexOf(' ', StringComparison.Ordinal);
                var name = space < 0 ? rest : rest[..space];
                Assert.Matches(MetricName(), name);
                Assert.True(helps.TryAdd(name, Unescape(space < 0 ? "" : rest[(space + 1)..], quote: false, where)), $"{where}: second HELP");
                continue;
            }

            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                Assert.True(parts.Length == 4, $"{where}: malformed TYPE");
                var (name, type) = (parts[2], parts[3]);
                Assert.Matches(MetricName(), name);
                Assert.Contains(type, new[] { "counter", "gauge", "histogram", "summary", "untyped" });
                Assert.False(families.ContainsKey(name), $"{where}: second TYPE for {name}");
                if (current is not null)
                {
                    finished.Add(current.Name);
                }

                current = new PrometheusFamily(name, type, helps.GetValueOrDefault(name, ""), []);
                families.Add(name, current);
                continue;
            }

            Assert.False(line.StartsWith('#'), $"{where}: unexpected comment");
            var sample = ParseSample(line, where);
            var family = FamilyOf(sample.Name, current);
            Assert.True(family is not null, $"{where}: sample outside its family (TYPE must come first, families must not interleave)");
            Assert.DoesNotContain(family!.Name, finished);
            var key = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)) + "}";
            Assert.True(seriesSeen.Add(key), $"{where}: duplicate series {key}");
            if (family.Type == "counter")
            {
                Assert.EndsWith("_total", family.Name, StringComparison.Ordinal);
                Assert.True(sample.Value >= 0, $"{where}: negative counter");
            }

            family.Samples.Add(sample);
        }

        foreach (var family in families.Values.Where(f => f.Type == "histogram"))
        {
            CheckHistogram(family);
        }

        return families;
    }

    /// <summary>The samples of <paramref name="family"/> whose labels include every pair of <paramref name="labels"/>.</summary>
    public static IEnumerable<PrometheusSample> Samples(this Dictionary<string, PrometheusFamily> families, string family, params (string Name, string Value)[] labels)
    {
        Assert.True(families.TryGetValue(family, out var found), $"family {family} missing; have: {string.Join(", ", families.Keys)}");
        return found!.Samples.Where(s => labels.All(l => s.Label(l.Name) == l.Value));
    }

    /// <summary>The value of the one sample of <paramref name="family"/> with these labels (0 when absent).</summary>
    public static double Value(this Dictionary<string, PrometheusFamily> families, string family, params (string Name, string Value)[] labels) =>
        families.TryGetValue(family, out _) ? families.Samples(family, labels).Where(s => s.Name == family).Sum(s => s.Value) : 0;

    /// <summary>Observations of a histogram over every series with these labels (0 when absent).</summary>
    public static double HistogramCount(this Dictionary<string, PrometheusFamily> families, string family, params (string Name, string Value)[] labels) =>
        families.TryGetValue(family, out _) ? families.Samples(family, labels).Where(s => s.Name == family + "_count").Sum(s => s.Value) : 0;

    private static PrometheusFamily? FamilyOf(string sampleName, PrometheusFamily? current)
    {
        if (current is null)
        {
            return null;
        }

        if (sampleName == current.Name && current.Type != "histogram")
        {
            return current;
        }

        return current.Type == "histogram" && sampleName is var n
            && (n == current.Name + "_bucket" || n == current.Name + "_sum" || n == current.Name + "_count")
            ? current
            : null;
    }

    private static void CheckHistogram(PrometheusFamily family)
    {
        foreach (var series in family.Samples.GroupBy(s => string.Join(",", s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key).Select(l => l.Key + "=" + l.Value))))
        {
            var buckets = series.Where(s => s.Name.EndsWith("_bucket", StringComparison.Ordinal)).ToList();
            var count = Assert.Single(series, s => s.Name.EndsWith("_count", StringComparison.Ordinal)).Value;
            var sum = Assert.Single(series, s => s.Name.EndsWith("_sum", StringComparison.Ordinal)).Value;
            Assert.NotEmpty(buckets);
            Assert.Equal("+Inf", buckets[^1].Label("le"));
            var previousBound = double.NegativeInfinity;
            var previousCount = 0.0;
            foreach (var bucket in buckets)
            {
                var bound = ParseValue(bucket.Label("le"), family.Name);
                Assert.True(bound > previousBound, $"{family.Name}: le not ascending ({bound} after {previousBound})");
                Assert.True(bucket.Value >= previousCount, $"{family.Name}: buckets not cumulative");
                Assert.Equal(Math.Floor(bucket.Value), bucket.Value);
                (previousBound, previousCount) = (bound, bucket.Value);
            }

            Assert.Equal(count, buckets[^1].Value);
            Assert.True(count > 0 || sum == 0, $"{family.Name}: a sum without observations");
        }
    }

    private static PrometheusSample ParseSample(string line, string where)
    {
        var nameEnd = 0;
        while (nameEnd < line.Length && line[nameEnd] is not ('{' or ' '))
        {
            nameEnd++;
        }

        var name = line[..nameEnd];
        Assert.Matches(MetricName(), name);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = nameEnd;
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                Assert.True(eq > i, $"{where}: label without '='");
                var label = line[i..eq];
                Assert.Matches(LabelName(), label);
                Assert.True(line[eq + 1] == '"', $"{where}: label value not quoted");
                var value = new StringBuilder();
                var j = eq + 2;
                for (; ; j++)
                {
                    Assert.True(j < line.Length, $"{where}: unterminated label value");
                    var c = line[j];
                    if (c == '"')
                    {
                        break;
                    }

                    if (c == '\\')
                    {
                        j++;
                        value.Append(line[j] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            _ => throw new Xunit.Sdk.XunitException($"{where}: invalid escape \\{line[j]}"),
                        });
                        continue;
                    }

                    value.Append(c);
                }

                Assert.True(labels.TryAdd(label, value.ToString()), $"{where}: label {label} twice");
                i = j + 1;
                if (line[i] == ',')
                {
                    i++;
                }
                else
                {
                    Assert.True(line[i] == '}', $"{where}: expected ',' or '}}' after a label");
                }
            }

            i++;
        }

        Assert.True(i < line.Length && line[i] == ' ', $"{where}: no space before the value");
        var valueText = line[(i + 1)..];
        Assert.DoesNotContain(" ", valueText, StringComparison.Ordinal); // no timestamps are written
        return new PrometheusSample(name, labels, ParseValue(valueText, where));
    }

    private static double ParseValue(string text, string where) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new Xunit.Sdk.XunitException($"{where}: '{text}' is not a number"),
    };

    private static string Unescape(string text, bool quote, string where)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                builder.Append(text[i]);
                continue;
            }

            i++;
            Assert.True(i < text.Length, $"{where}: dangling backslash");
            builder.Append(text[i] switch
            {
                '\\' => '\\',
                'n' => '\n',
                '"' when quote => '"',
                _ => throw new Xunit.Sdk.XunitException($"{where}: invalid escape in HELP"),
            });
        }

        return builder.ToString();
    }

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();
}
