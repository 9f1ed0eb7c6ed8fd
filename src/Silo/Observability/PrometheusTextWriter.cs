using System.Globalization;
using System.Text;

namespace Atelier.Silo.Observability;

/// <summary>
/// Writes families in the Prometheus text exposition format 0.0.4: <c># HELP</c> and <c># TYPE</c> once per family,
/// then one line per sample; label values escape <c>\</c>, <c>"</c> and line feeds, HELP text escapes <c>\</c> and
/// line feeds; histograms write cumulative <c>_bucket{le=...}</c> lines ending with <c>le="+Inf"</c>, then
/// <c>_sum</c> and <c>_count</c>.
/// </summary>
internal static class PrometheusTextWriter
{
    /// <summary>The Content-Type of the exposition.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static void WriteFamily(StringBuilder output, InstrumentState state, MetricSeriesSnapshot[] series)
    {
        output.Append("# HELP ").Append(state.Name).Append(' ');
        AppendEscaped(output, state.Instrument.Description ?? state.Instrument.Name, escapeQuote: false);
        output.Append('\n');
        output.Append("# TYPE ").Append(state.Name).Append(' ').Append(state.Kind switch
        {
            MetricKind.Counter or MetricKind.ObservableCounter => "counter",
            MetricKind.Histogram => "histogram",
            _ => "gauge",
        }).Append('\n');
        foreach (var sample in series)
        {
            if (state.Kind != MetricKind.Histogram)
            {
                output.Append(state.Name);
                AppendLabels(output, sample.Tags, le: null);
                output.Append(' ');
                AppendNumber(output, sample.Value);
                output.Append('\n');
                continue;
            }

            long cumulative = 0;
            for (var i = 0; i < state.Bounds.Length; i++)
            {
                cumulative += sample.BucketCounts[i];
                output.Append(state.Name).Append("_bucket");
                AppendLabels(output, sample.Tags, Number(state.Bounds[i]));
                output.Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }

            output.Append(state.Name).Append("_bucket");
            AppendLabels(output, sample.Tags, "+Inf");
            output.Append(' ').Append(sample.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
            output.Append(state.Name).Append("_sum");
            AppendLabels(output, sample.Tags, le: null);
            output.Append(' ');
            AppendNumber(output, sample.Value);
            output.Append('\n');
            output.Append(state.Name).Append("_count");
            AppendLabels(output, sample.Tags, le: null);
            output.Append(' ').Append(sample.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
    }

    /// <summary>A sample value: shortest round-trip form, <c>+Inf</c>, <c>-Inf</c> or <c>NaN</c>.</summary>
    public static string Number(double value) =>
        double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Escapes a label value (<paramref name="escapeQuote"/>) or HELP text.</summary>
    public static void AppendEscaped(StringBuilder output, string value, bool escapeQuote)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    output.Append(@"\\");
                    break;
                case '\n':
                    output.Append(@"\n");
                    break;
                case '"' when escapeQuote:
                    output.Append("\\\"");
                    break;
                default:
                    output.Append(c);
                    break;
            }
        }
    }

    private static void AppendNumber(StringBuilder output, double value) => output.Append(Number(value));

    private static void AppendLabels(StringBuilder output, KeyValuePair<string, object?>[] tags, string? le)
    {
        if (tags.Length == 0 && le is null)
        {
            return;
        }

        output.Append('{');
        var first = true;
        foreach (var tag in tags)
        {
            if (!first)
            {
                output.Append(',');
            }

            first = false;
            output.Append(PrometheusNames.LabelName(tag.Key)).Append("=\"");
            AppendEscaped(output, LabelValue(tag.Value), escapeQuote: true);
            output.Append('"');
        }

        if (le is not null)
        {
            output.Append(first ? "" : ",").Append("le=\"").Append(le).Append('"');
        }

        output.Append('}');
    }

    private static string LabelValue(object? value) => value switch
    {
        null => "",
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
