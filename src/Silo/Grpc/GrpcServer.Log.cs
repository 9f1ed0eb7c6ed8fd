using Atelier.Grpc;

namespace Atelier.Silo.Grpc;

internal sealed partial class GrpcServer
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "gRPC {Method} failed: {Status} ({Code})")]
    private static partial void LogFailed(ILogger logger, string method, GrpcStatusCode status, string code);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "gRPC {Method} passed its deadline of {Timeout} ({Exception})")]
    private static partial void LogDeadline(ILogger logger, string method, TimeSpan timeout, string exception);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Debug, Message = "gRPC {Method} cancelled by the client ({Exception})")]
    private static partial void LogCancelled(ILogger logger, string method, string exception);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Information, Message = "Rejected gRPC {Path}: {Reason} API key")]
    private static partial void LogRejected(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 1299, Level = LogLevel.Error, Message = "Unhandled exception in gRPC {Method}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method);
}
