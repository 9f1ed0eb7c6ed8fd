using System.Diagnostics;
using System.Diagnostics.Metrics;
using Atelier.Grains.Diagnostics;

namespace Atelier.Silo.Observability;

/// <summary>
/// HTTP instruments of the silo's public API (meter <c>Atelier.Silo</c>): requests and their duration by route
/// template, method and status. Also the helper a non-HTTP front end (gRPC) calls per request, with its own
/// <c>route</c> (the full method name) and <c>status</c> (the gRPC status code name).
/// </summary>
internal sealed class SiloMetrics
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "Atelier.Silo";

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;

    public SiloMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("atelier.http.server.requests", "{request}", "Requests served by this silo's public API, by route template, method and status.");
        _duration = meter.CreateHistogram("atelier.http.server.request.duration", "s", "Time to serve a request of the public API, by route template, method and status.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricBuckets.Seconds });
    }

    /// <summary>Records one finished request (<paramref name="startedTimestamp"/>: <see cref="Stopwatch.GetTimestamp"/> at its start).</summary>
    public void RequestCompleted(string route, string method, string status, long startedTimestamp)
    {
        var tags = new TagList
        {
            { "route", route },
            { "method", method },
            { "status", status },
        };
        _duration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, tags);
        _requests.Add(1, tags);
    }
}
