using System.Globalization;

namespace Atelier.Bench.Infrastructure;

/// <summary>Reads a silo's <c>/metrics</c> (Prometheus text exposition) into samples.</summary>
internal static class PrometheusText
{
    /// <summary>Every sample line of <c>GET /metrics</c>: (name, labels as written, value).</summary>
    public static async Task<IReadOnlyList<(string Name, string Labels, double Value)>> ScrapeAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var text = await http.GetStringAsync(new Uri("metrics", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        var samples = new List<(string, string, double)>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var labelsStart = line.IndexOf('{', StringComparison.Ordinal);
            var labelsEnd = labelsStart < 0 ? -1 : line.LastIndexOf('}');
            var nameEnd = labelsStart < 0 ? line.IndexOf(' ', StringComparison.Ordinal) : labelsStart;
            if (nameEnd <= 0)
            {
                continue;
            }

            var rest = line[((labelsEnd < 0 ? nameEnd : labelsEnd + 1))..].Trim().Split(' ');
            if (double.TryParse(rest[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                samples.Add((line[..nameEnd], labelsStart < 0 ? "" : line[(labelsStart + 1)..labelsEnd], value));
            }
        }

        return samples;
    }

    /// <summary>The sum of a family's samples over all label sets (0 when absent).</summary>
    public static double Sum(IEnumerable<(string Name, string Labels, double Value)> samples, string name) =>
        samples.Where(s => string.Equals(s.Name, name, StringComparison.Ordinal)).Sum(s => s.Value);
}
