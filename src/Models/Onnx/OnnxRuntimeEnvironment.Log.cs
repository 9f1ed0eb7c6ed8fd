using Microsoft.Extensions.Logging;

namespace Atelier.Models.Onnx;

public static partial class OnnxRuntimeEnvironment
{
    [LoggerMessage(EventId = 100, Message = "[{Category}] {LogId} {CodeLocation}: {Text}")]
    private static partial void OrtMessage(ILogger logger, LogLevel level, string category, string logId, string codeLocation, string text);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning,
        Message = "The ONNX Runtime environment already exists (one per process) with global pools of {IntraOpThreads} intra-op / {InterOpThreads} inter-op threads (0 = ORT's choice); the new Onnx thread settings do not apply.")]
    private static partial void LogAlreadyCreated(ILogger logger, int intraOpThreads, int interOpThreads);
}
