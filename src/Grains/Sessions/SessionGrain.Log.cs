using Microsoft.Extensions.Logging;

namespace Atelier.Grains.Sessions;

internal sealed partial class SessionGrain
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Session {SessionId} opened with {Model} ({Width}x{Height})")]
    private static partial void LogOpened(ILogger logger, string sessionId, string model, int width, int height);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Session {SessionId} restored from the session store ({Versions} versions)")]
    private static partial void LogRestored(ILogger logger, string sessionId, int versions);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Session {SessionId} {Reason}")]
    private static partial void LogEnded(ILogger logger, string sessionId, string reason);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "Session {SessionId} deactivating ({Reason}); migrating to another silo: {Migrating}")]
    private static partial void LogDeactivating(ILogger logger, string sessionId, DeactivationReasonCode reason, bool migrating);

    [LoggerMessage(EventId = 210, Level = LogLevel.Information, Message = "Session {SessionId} arrived by migration; embedding: {Embedding}")]
    private static partial void LogRehydrated(ILogger logger, string sessionId, string embedding);

    [LoggerMessage(EventId = 230, Level = LogLevel.Information, Message = "Session {SessionId} replace ran {Steps} steps in {ElapsedMs:F0} ms")]
    private static partial void LogReplaced(ILogger logger, string sessionId, int steps, double elapsedMs);

    [LoggerMessage(EventId = 231, Level = LogLevel.Warning, Message = "Session {SessionId} replace stops reporting progress: {Reason}")]
    private static partial void LogProgressDropped(ILogger logger, string sessionId, string reason);
}
