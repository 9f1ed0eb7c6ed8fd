using Atelier.Silo.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using HealthV1 = Atelier.Grpc.Health.V1;

namespace Atelier.Silo.Grpc;

/// <summary>
/// <c>grpc.health.v1.Health</c>: <c>Check</c> and <c>Watch</c> answer SERVING when the silo is ready (the checks behind
/// <c>/readyz</c>), NOT_SERVING otherwise. Known services: <c>""</c> (the whole silo), <c>atelier.v1.Sessions</c>,
/// <c>atelier.v1.Models</c>; any other is NOT_FOUND (Check) or SERVICE_UNKNOWN (Watch). Needs no API key.
/// </summary>
internal sealed class HealthService(HealthCheckService checks, IOptions<GrpcOptions> options)
{
    public const string ServiceName = "grpc.health.v1.Health";

    public Func<GrpcCall, Task>? Find(string method) => method switch
    {
        "Check" => CheckAsync,
        "Watch" => WatchAsync,
        _ => null,
    };

    private async Task CheckAsync(GrpcCall call)
    {
        var request = await call.ReadRequestAsync(HealthV1.HealthCheckRequest.Parser).ConfigureAwait(false);
        if (!IsKnown(request.Service))
        {
            throw new Atelier.Grpc.GrpcException(Atelier.Grpc.GrpcStatusCode.NotFound, $"unknown service '{request.Service}'");
        }

        await call.WriteAsync(new HealthV1.HealthCheckResponse { Status = await StatusAsync(call.Token).ConfigureAwait(false) }).ConfigureAwait(false);
    }

    /// <summary>Sends the status now and again whenever it changes, until the client cancels (the deadline, if any, ends it too).</summary>
    private async Task WatchAsync(GrpcCall call)
    {
        var request = await call.ReadRequestAsync(HealthV1.HealthCheckRequest.Parser).ConfigureAwait(false);
        var interval = TimeSpan.FromMilliseconds(options.Value.HealthWatchIntervalMs);
        HealthV1.HealthCheckResponse.Types.ServingStatus? last = null;
        while (true)
        {
            var status = IsKnown(request.Service)
                ? await StatusAsync(call.Token).ConfigureAwait(false)
                : HealthV1.HealthCheckResponse.Types.ServingStatus.ServiceUnknown;
            if (status != last)
            {
                await call.WriteAsync(new HealthV1.HealthCheckResponse { Status = status }).ConfigureAwait(false);
                last = status;
            }

            await Task.Delay(interval, call.Token).ConfigureAwait(false);
        }
    }

    private static bool IsKnown(string service) =>
        service is "" or SessionsService.ServiceName or ModelsService.ServiceName;

    private async Task<HealthV1.HealthCheckResponse.Types.ServingStatus> StatusAsync(CancellationToken cancellationToken)
    {
        var report = await checks.CheckHealthAsync(c => c.Tags.Contains(HealthEndpoints.ReadyTag), cancellationToken).ConfigureAwait(false);
        return report.Status == HealthStatus.Healthy
            ? HealthV1.HealthCheckResponse.Types.ServingStatus.Serving
            : HealthV1.HealthCheckResponse.Types.ServingStatus.NotServing;
    }
}
