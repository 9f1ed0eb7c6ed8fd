using Microsoft.Extensions.Logging;

namespace Atelier.Onnx;

public sealed partial class OnnxRuntimeEnvironment
{
    [LoggerMessage(EventId = 100, Message = "[{Category}] {LogId} {CodeLocation}: {Text}")]
    private static partial void OrtMessage(ILogger logger, LogLevel level, string category, string logId, string codeLocation, string text);
}
