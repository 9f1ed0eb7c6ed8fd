namespace Atelier.Silo.Observability;

internal sealed partial class RequestObservabilityMiddleware
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information,
        Message = "HTTP {Method} {Route} responded {Status} in {ElapsedMs:0.0} ms (silo {Silo}, executed by {Owner}, session {Session})")]
    private static partial void LogRequest(ILogger logger, string method, string route, int status, double elapsedMs, string silo, string owner, string session);
}
