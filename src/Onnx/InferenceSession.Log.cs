using Microsoft.Extensions.Logging;

namespace Atelier.Onnx;

public sealed partial class InferenceSession
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "CUDA requested but unavailable; the session runs on the CPU as configured. {Reason}")]
    private static partial void LogCudaFallback(ILogger logger, string reason);
}
