using Atelier.Grains.Sessions;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Atelier.Silo.Observability;

/// <summary>Wires metrics, tracing and request logs into the silo host (two calls from <c>SiloHostExtensions</c>).</summary>
internal static class ObservabilityHostExtensions
{
    public static WebApplicationBuilder AddAtelierObservability(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ObservabilityOptions>()
            .Bind(builder.Configuration.GetSection(ObservabilityOptions.SectionName))
            .Validate(o => o.MaxSeriesPerInstrument is >= 1 and <= 1_000_000, "Observability:MaxSeriesPerInstrument must be in 1..1000000.")
            .Validate(o => o.Otlp.Protocol is "grpc" or "http/protobuf", "Observability:Otlp:Protocol must be 'grpc' or 'http/protobuf'.")
            .Validate(o => o.Otlp.ExportIntervalMilliseconds is >= 100 and <= 3_600_000, "Observability:Otlp:ExportIntervalMilliseconds must be in 100..3600000.")
            .Validate(o => o.Otlp.TraceSampleRatio is >= 0 and <= 1, "Observability:Otlp:TraceSampleRatio must be in 0..1.")
            .Validate(o => o.Otlp.Endpoint is null || o.Otlp.Endpoint.IsAbsoluteUri, "Observability:Otlp:Endpoint must be an absolute URI.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Otlp.ServiceName), "Observability:Otlp:ServiceName must not be empty.")
            .ValidateOnStart();
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<SiloMetrics>();
        builder.Services.TryAddSingleton<PrometheusCollector>();
        builder.Services.AddHostedService<OtlpExportService>();
        return builder;
    }

    /// <summary>Call first in the pipeline: the request middleware must see the final status of every request.</summary>
    public static WebApplication UseAtelierObservability(this WebApplication app)
    {
        // Created now, so that no measurement is missed and the session instruments exist before the first session.
        _ = app.Services.GetRequiredService<PrometheusCollector>();
        _ = app.Services.GetRequiredService<SessionRegistry>();
        app.UseMiddleware<RequestObservabilityMiddleware>();
        if (app.Services.GetRequiredService<IOptions<ObservabilityOptions>>().Value.MetricsEnabled)
        {
            app.MapMetricsEndpoints();
        }

        return app;
    }
}
