using Atelier.Grains.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Atelier.Silo.Observability;

/// <summary>
/// Pushes every <c>Atelier.*</c> meter and activity source, and Orleans' (<c>Microsoft.Orleans*</c>: grain calls,
/// messaging, membership), to an OTLP collector when
/// <c>Observability:Otlp:Endpoint</c> is set: builds the OpenTelemetry meter and tracer providers at start, flushes
/// and disposes them at stop (the hosting integration package is not available here, so this service owns them).
/// </summary>
internal sealed partial class OtlpExportService(IOptions<ObservabilityOptions> options, SiloIdentity silo, ILogger<OtlpExportService> logger)
    : IHostedService, IDisposable
{
    private const string Sources = "Atelier.*";
    private const string OrleansSources = "Microsoft.Orleans*";
    private readonly OtlpOptions _options = options.Value.Otlp;
    private MeterProvider? _meters;
    private TracerProvider? _tracer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Endpoint is not { } endpoint)
        {
            return Task.CompletedTask;
        }

        var http = _options.Protocol == "http/protobuf";
        var protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        _meters = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(Resource)
            .AddMeter(Sources, OrleansSources)
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = http ? Signal(endpoint, "v1/metrics") : endpoint;
                exporter.Protocol = protocol;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = _options.ExportIntervalMilliseconds;
            })
            .Build();
        _tracer = Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(Resource)
            .AddSource(Sources, OrleansSources)
            .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(_options.TraceSampleRatio)))
            .AddOtlpExporter(exporter =>
            {
                exporter.Endpoint = http ? Signal(endpoint, "v1/traces") : endpoint;
                exporter.Protocol = protocol;
            })
            .Build();
        LogExporting(logger, endpoint, _options.Protocol, _options.ExportIntervalMilliseconds);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        // Disposing shuts the providers down, which exports what was measured since the last push.
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        // Traces first: their batch goes out even if the meter provider's shutdown fails.
        ShutDown(_tracer, "tracer");
        _tracer = null;
        ShutDown(_meters, "meter");
        _meters = null;
    }

    /// <summary>
    /// Disposes a provider (a final export first). Best effort: OpenTelemetry 1.20.1's providers were seen throwing
    /// <see cref="NullReferenceException"/> from <c>Dispose</c> after their final export in the test host (not
    /// reproduced in a plain console host); the silo must still stop cleanly, so the failure is logged.
    /// </summary>
    private void ShutDown(IDisposable? provider, string kind)
    {
        try
        {
            provider?.Dispose();
        }
#pragma warning disable CA1031 // Best effort at shutdown, see above.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogShutdownFailed(logger, kind, exception);
        }
    }

    private void Resource(ResourceBuilder resource) => resource.AddService(_options.ServiceName, serviceInstanceId: silo.Name);

    /// <summary>http/protobuf exporters take the full signal URL when the endpoint is set in code.</summary>
    private static Uri Signal(Uri endpoint, string path) => new(new Uri(endpoint.ToString().TrimEnd('/') + "/"), path);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Exporting metrics and traces over OTLP to {Endpoint} ({Protocol}, metrics every {IntervalMs} ms)")]
    private static partial void LogExporting(ILogger logger, Uri endpoint, string protocol, int intervalMs);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "The OpenTelemetry {Kind} provider failed to shut down cleanly")]
    private static partial void LogShutdownFailed(ILogger logger, string kind, Exception exception);
}
