using System.Diagnostics.Metrics;
using Atelier.Grains.Sessions;
using Atelier.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Atelier.Silo.Observability;

/// <summary>
/// Metrics, tracing and request logs of the silo on the standard OpenTelemetry hosting setup (two calls from
/// <c>SiloHostExtensions</c>): <c>AddOpenTelemetry()</c> with metrics (our <c>Atelier.*</c> meters, Orleans'
/// <c>Microsoft.Orleans*</c>, ASP.NET Core incl. Kestrel and gRPC, HttpClient, the .NET runtime) served at
/// <c>GET /metrics</c> by the OpenTelemetry Prometheus exporter and pushed over OTLP when configured, and tracing
/// (<c>Atelier.*</c>, Orleans' grain calls, ASP.NET Core and HttpClient spans) exported over OTLP when configured.
/// </summary>
internal static class ObservabilityHostExtensions
{
    /// <summary>Prefix of our meters and activity sources.</summary>
    public const string AtelierPrefix = "Atelier";

    /// <summary>Orleans' activity sources (grain calls).</summary>
    public const string OrleansSources = "Microsoft.Orleans*";

    /// <summary>Orleans' meter (instruments <c>orleans-*</c>).</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>ASP.NET Core's meters (<c>Microsoft.AspNetCore.Hosting</c>, <c>.Routing</c>, <c>.Server.Kestrel</c>, ...).</summary>
    public const string AspNetCorePrefix = "Microsoft.AspNetCore";

    /// <summary>The name OpenTelemetry's <see cref="IMetricsListener"/> registers under.</summary>
    private const string OpenTelemetryListener = "OpenTelemetry";

    public static WebApplicationBuilder AddAtelierObservability(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(ObservabilityOptions.SectionName);
        builder.Services.AddOptions<ObservabilityOptions>()
            .Bind(section)
            .Validate(o => o.MaxSeriesPerInstrument is >= 1 and <= 1_000_000, "Observability:MaxSeriesPerInstrument must be in 1..1000000.")
            .Validate(o => o.Otlp.Protocol is "grpc" or "http/protobuf", "Observability:Otlp:Protocol must be 'grpc' or 'http/protobuf'.")
            .Validate(o => o.Otlp.ExportIntervalMilliseconds is >= 100 and <= 3_600_000, "Observability:Otlp:ExportIntervalMilliseconds must be in 100..3600000.")
            .Validate(o => o.Otlp.TraceSampleRatio is >= 0 and <= 1, "Observability:Otlp:TraceSampleRatio must be in 0..1.")
            .Validate(o => o.Otlp.Endpoint is null || o.Otlp.Endpoint.IsAbsoluteUri, "Observability:Otlp:Endpoint must be an absolute URI.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Otlp.ServiceName), "Observability:Otlp:ServiceName must not be empty.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton<SiloMetrics>();

        // What is exported is decided here; out-of-range values are refused at start by the validation above.
        var options = section.Get<ObservabilityOptions>() ?? new ObservabilityOptions();
        var otlp = options.Otlp.Endpoint is { IsAbsoluteUri: true } ? options.Otlp : null;
        var siloName = builder.Configuration[$"{SiloOptions.SectionName}:{nameof(SiloOptions.Name)}"] is { Length: > 0 } name ? name : new SiloOptions().Name;

        // Our meters, ASP.NET Core's (hosting, routing, Kestrel, ...) and Orleans' come from this host's IMeterFactory:
        // enabling them through the host's metrics rules for the local scope only (rather than AddMeter, which listens
        // to every meter of that name in the process, as AddAspNetCoreInstrumentation's metrics part does) keeps the
        // figures of several silos or test hosts in one process apart. The runtime's and HttpClient's meters are
        // process-wide by nature and added by name.
        builder.Services.AddMetrics(metrics =>
        {
            metrics.EnableMetrics(AtelierPrefix, listenerName: OpenTelemetryListener, scopes: MeterScope.Local)
                .EnableMetrics(AspNetCorePrefix, listenerName: OpenTelemetryListener, scopes: MeterScope.Local);
            if (options.OrleansMetrics)
            {
                // Orleans 10 creates its meters from the host's IMeterFactory too (OrleansInstruments).
                metrics.EnableMetrics(OrleansMeter, listenerName: OpenTelemetryListener, scopes: MeterScope.Local);
            }
        });

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(options.Otlp.ServiceName, serviceInstanceId: siloName))
            .WithMetrics(metrics =>
            {
                metrics.AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddView(_ => new MetricStreamConfiguration { CardinalityLimit = options.MaxSeriesPerInstrument });
                if (options.MetricsEnabled)
                {
                    // Every scrape reads the figures of that moment (the exporter's default caches them for 300 ms).
                    metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
                }

                if (otlp is not null)
                {
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        Configure(exporter, otlp, "v1/metrics");
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = otlp.ExportIntervalMilliseconds;
                    });
                }
            });

        // Spans cost nothing until something records them: without an OTLP endpoint no tracer provider listens.
        if (otlp is not null)
        {
            telemetry.WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(otlp.TraceSampleRatio)))
                .AddSource(AtelierPrefix + ".*", OrleansSources)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddOtlpExporter(exporter => Configure(exporter, otlp, "v1/traces")));
        }

        return builder;
    }

    /// <summary>Call first in the pipeline: the request middleware must see the final status of every request.</summary>
    public static WebApplication UseAtelierObservability(this WebApplication app)
    {
        // Created now, so that the session instruments exist before the first session.
        _ = app.Services.GetRequiredService<SessionRegistry>();
        app.UseMiddleware<RequestObservabilityMiddleware>();
        var options = app.Services.GetRequiredService<IOptions<ObservabilityOptions>>().Value;
        if (options.MetricsEnabled)
        {
            // Like /healthz, an operations route outside /v1: no API key (see docs/observability.md).
            app.MapPrometheusScrapingEndpoint(MetricsPath)
                .WithName("Metrics")
                .WithTags("Operations")
                .WithSummary("Prometheus metrics of this silo (OpenTelemetry Prometheus exporter; text format 0.0.4, or OpenMetrics when asked).");
        }

        return app;
    }

    /// <summary>Where the Prometheus scrape endpoint is mapped.</summary>
    public const string MetricsPath = "/metrics";

    private static void Configure(OtlpExporterOptions exporter, OtlpOptions otlp, string signalPath)
    {
        var http = otlp.Protocol == "http/protobuf";
        exporter.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        // http/protobuf exporters take the full signal URL when the endpoint is set in code.
        exporter.Endpoint = http ? new Uri(new Uri(otlp.Endpoint!.ToString().TrimEnd('/') + "/"), signalPath) : otlp.Endpoint!;
    }
}
