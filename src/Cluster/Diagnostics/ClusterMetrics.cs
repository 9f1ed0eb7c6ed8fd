using System.Diagnostics;
using System.Diagnostics.Metrics;
using Atelier.Runtime;
using Atelier.Runtime.Diagnostics;

namespace Atelier.Cluster.Diagnostics;

/// <summary>
/// Cluster instruments of one silo (meter <c>Atelier.Cluster</c>): membership changes seen in the Redis table and
/// silos by status (from <see cref="RedisMembership"/>), and the silo-to-silo transport: frames sent, their round-trip
/// time and bytes each way (from <see cref="Http2Transport"/>).
/// </summary>
internal sealed class ClusterMetrics
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "Atelier.Cluster";

    private readonly Counter<long>? _membershipChanges;
    private readonly Counter<long>? _transportRequests;
    private readonly Histogram<double>? _transportDuration;
    private readonly Counter<long>? _sentBytes;
    private readonly Counter<long>? _receivedBytes;

    private ClusterMetrics(Meter meter, RedisMembership? membership)
    {
        if (membership is not null)
        {
            _membershipChanges = meter.CreateCounter<long>("atelier.cluster.membership.changes", "{change}",
                "Membership rows this silo saw appear or change status (joining, active, shutting_down, dead), by new status.");
            meter.CreateObservableGauge("atelier.cluster.silos", () => ObserveSilos(membership), "{silo}", "Silos in the membership table, by status.");
            return;
        }

        _transportRequests = meter.CreateCounter<long>("atelier.cluster.transport.requests", "{frame}",
            "Frames this silo sent to other silos over HTTP/2, by outcome (ok, unavailable, timeout, error).");
        _transportDuration = meter.CreateHistogram("atelier.cluster.transport.request.duration", "s",
            "Round trip of a frame to another silo, including the callee's work, by outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricBuckets.Seconds });
        _sentBytes = meter.CreateCounter<long>("atelier.cluster.transport.sent", "By", "Frame bytes sent to other silos.");
        _receivedBytes = meter.CreateCounter<long>("atelier.cluster.transport.received", "By", "Response bytes received from other silos.");
    }

    public static ClusterMetrics? ForMembership(IMeterFactory? meterFactory, RedisMembership membership) =>
        meterFactory is null ? null : new ClusterMetrics(meterFactory.Create(MeterName), membership);

    public static ClusterMetrics? ForTransport(IMeterFactory? meterFactory) =>
        meterFactory is null ? null : new ClusterMetrics(meterFactory.Create(MeterName), membership: null);

    /// <summary>Counts the rows that are new or changed status between two views of the table.</summary>
    public void ViewChanged(IReadOnlyDictionary<SiloAddress, MembershipRow> previous, IReadOnlyDictionary<SiloAddress, MembershipRow> current)
    {
        if (ReferenceEquals(previous, current))
        {
            return;
        }

        foreach (var (silo, row) in current)
        {
            if (!previous.TryGetValue(silo, out var before) || before.Status != row.Status)
            {
                _membershipChanges?.Add(1, new KeyValuePair<string, object?>("status", StatusLabel(row.Status)));
            }
        }
    }

    public void FrameSent(int sentBytes, int receivedBytes, long startedTimestamp, string outcome)
    {
        var tag = new KeyValuePair<string, object?>("outcome", outcome);
        _transportRequests?.Add(1, tag);
        _transportDuration?.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, tag);
        _sentBytes?.Add(sentBytes);
        _receivedBytes?.Add(receivedBytes);
    }

    private static string StatusLabel(SiloStatus status) => status switch
    {
        SiloStatus.Joining => "joining",
        SiloStatus.Active => "active",
        SiloStatus.ShuttingDown => "shutting_down",
        SiloStatus.Dead => "dead",
        _ => status.ToString().ToLowerInvariant(),
    };

    private static List<Measurement<int>> ObserveSilos(RedisMembership membership)
    {
        var counts = new Dictionary<SiloStatus, int>();
        foreach (var row in membership.Rows)
        {
            counts[row.Status] = counts.GetValueOrDefault(row.Status) + 1;
        }

        var result = new List<Measurement<int>>(counts.Count);
        foreach (var (status, count) in counts)
        {
            result.Add(new Measurement<int>(count, new KeyValuePair<string, object?>("status", StatusLabel(status))));
        }

        return result;
    }
}
