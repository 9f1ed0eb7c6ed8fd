using Atelier.Models.Manifest;
using Microsoft.Extensions.Logging;

namespace Atelier.Models.Store;

public sealed partial class FileSystemModelStore
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Model folder '{Folder}' skipped: {Problem}")]
    private static partial void LogSkippedInvalidModel(ILogger logger, string folder, string problem);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Model '{ModelId}' ({Kind}) registered; replaced an existing version: {Replaced}")]
    private static partial void LogRegistered(ILogger logger, string modelId, ModelKind kind, bool replaced);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Model '{ModelId}' deleted")]
    private static partial void LogDeleted(ILogger logger, string modelId);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Could not remove '{Directory}': {Problem}")]
    private static partial void LogCleanupFailed(ILogger logger, string directory, string problem);
}
