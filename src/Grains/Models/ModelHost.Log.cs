using Microsoft.Extensions.Logging;

namespace Atelier.Grains.Models;

public sealed partial class ModelHost
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Model '{ModelId}' loaded ({Bytes} bytes accounted) in {ElapsedMs:F0} ms")]
    private static partial void LogLoaded(ILogger logger, string modelId, long bytes, double elapsedMs);

    [LoggerMessage(EventId = 401, Level = LogLevel.Error, Message = "Model '{ModelId}' failed to load")]
    private static partial void LogLoadFailed(ILogger logger, string modelId, Exception exception);

    [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "Model '{ModelId}' unloaded on request")]
    private static partial void LogUnloaded(ILogger logger, string modelId);
}
