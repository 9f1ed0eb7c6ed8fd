using Microsoft.Extensions.Logging;

namespace Atelier.Grains.Memory;

public sealed partial class DeviceMemoryManager
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Debug, Message = "Demoted '{Owner}' ({Bytes} bytes) from device to host memory")]
    private static partial void LogDemoted(ILogger logger, string owner, long bytes);

    [LoggerMessage(EventId = 301, Level = LogLevel.Debug, Message = "Dropped cached '{Owner}' ({Bytes} bytes); it is recomputed on next use")]
    private static partial void LogDropped(ILogger logger, string owner, long bytes);

    [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "Evicted model '{Owner}' ({Bytes} bytes) from the device")]
    private static partial void LogModelEvicted(ILogger logger, string owner, long bytes);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "Device memory exhausted: {Owner} needs {Bytes} bytes, {Used}/{Budget} used: {Why}")]
    private static partial void LogExhausted(ILogger logger, string owner, long bytes, long used, long budget, string why);
}
