using Microsoft.Extensions.Logging;

namespace Atelier.Models.Adapters;

public sealed partial class ModelLoader
{
    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Loaded model {ModelId} ({Kind}, {Bytes} bytes, {Provider}) in {ElapsedMs} ms")]
    private static partial void LogLoaded(ILogger logger, string modelId, string kind, long bytes, string provider, long elapsedMs);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "Model {ModelId} failed to load: {Reason}")]
    private static partial void LogLoadFailed(ILogger logger, string modelId, string reason);
}
