namespace Atelier.Silo.Observability;

/// <summary>Metrics, tracing and request logs (configuration section <c>Observability</c>).</summary>
internal sealed class ObservabilityOptions
{
    public const string SectionName = "Observability";

    /// <summary>Serve <c>GET /metrics</c> (the OpenTelemetry Prometheus exporter). Default: true.</summary>
    public bool MetricsEnabled { get; set; } = true;

    /// <summary>
    /// Label sets (series) kept per instrument (OpenTelemetry's cardinality limit); measurements with a new label set
    /// beyond it go to one overflow series labelled <c>otel_metric_overflow="true"</c>. Default: 2,000 series.
    /// </summary>
    public int MaxSeriesPerInstrument { get; set; } = 2000;

    /// <summary>
    /// Whether metrics include Orleans' own instruments (meter <c>Microsoft.Orleans</c>, created from the host's
    /// <c>IMeterFactory</c>: per silo). Default: true.
    /// </summary>
    public bool OrleansMetrics { get; set; } = true;

    /// <summary>One Information line per HTTP request (category <c>Atelier.Silo.Requests</c>). Default: true.</summary>
    public bool RequestLogs { get; set; } = true;

    /// <summary>OTLP export of metrics and traces; disabled while <see cref="OtlpOptions.Endpoint"/> is empty.</summary>
    public OtlpOptions Otlp { get; set; } = new();
}

/// <summary>OpenTelemetry Protocol export (section <c>Observability:Otlp</c>).</summary>
internal sealed class OtlpOptions
{
    /// <summary>
    /// Collector base address, e.g. <c>http://collector:4317</c> (grpc) or <c>http://collector:4318</c> (http/protobuf;
    /// <c>/v1/metrics</c> and <c>/v1/traces</c> are appended). Default: none (no export).
    /// </summary>
    public Uri? Endpoint { get; set; }

    /// <summary><c>grpc</c> or <c>http/protobuf</c>. Default: <c>grpc</c>.</summary>
    public string Protocol { get; set; } = "grpc";

    /// <summary>How often metrics are pushed, in milliseconds. Default: 15,000 ms.</summary>
    public int ExportIntervalMilliseconds { get; set; } = 15_000;

    /// <summary>Share of new traces recorded (0..1); a request with a sampled parent is always recorded. Default: 1.</summary>
    public double TraceSampleRatio { get; set; } = 1.0;

    /// <summary>OTel <c>service.name</c> resource attribute; <c>service.instance.id</c> is the silo name. Default: <c>atelier-silo</c>.</summary>
    public string ServiceName { get; set; } = "atelier-silo";
}
