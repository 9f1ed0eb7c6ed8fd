namespace Atelier.Silo.Observability;

/// <summary>One label set of an instrument and its aggregate. Guarded by its instrument's lock.</summary>
internal sealed class MetricSeries(KeyValuePair<string, object?>[] tags, int hash, int buckets)
{
    /// <summary>The tags as measured (values not yet formatted), in first-seen order.</summary>
    public KeyValuePair<string, object?>[] Tags { get; } = tags;

    public int Hash { get; } = hash;

    /// <summary>Sum (counters), last value (gauges) or sum of observations (histograms).</summary>
    public double Value { get; set; }

    /// <summary>Histogram observations.</summary>
    public long Count { get; set; }

    /// <summary>Histogram observations per bucket (not cumulative); the last bucket is above every bound.</summary>
    public long[] BucketCounts { get; } = buckets == 0 ? [] : new long[buckets];

    /// <summary>Whether <paramref name="tags"/> is the same label set, in any order.</summary>
    public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length != Tags.Length)
        {
            return false;
        }

        foreach (var tag in tags)
        {
            var found = false;
            foreach (var own in Tags)
            {
                if (string.Equals(own.Key, tag.Key, StringComparison.Ordinal))
                {
                    found = Equals(own.Value, tag.Value);
                    break;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A hash of a label set that does not depend on the order of its tags.</summary>
    public static int HashOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var hash = tags.Length;
        foreach (var tag in tags)
        {
            hash += HashCode.Combine(StringComparer.Ordinal.GetHashCode(tag.Key), tag.Value?.GetHashCode() ?? 0);
        }

        return hash;
    }
}
