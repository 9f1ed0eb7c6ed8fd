using Microsoft.Extensions.Logging;

namespace Atelier.Cluster;

internal sealed partial class DirectoryReassertion
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 930, Level = LogLevel.Warning, Message = "Directory entries registered again after Redis lost them ({Activations} activations, {Lost} deactivated as duplicates).")]
        public static partial void Reasserted(ILogger logger, int activations, int lost);

        [LoggerMessage(EventId = 931, Level = LogLevel.Warning, Message = "Registering directory entries again failed; retrying.")]
        public static partial void ReassertionFailed(ILogger logger, Exception exception);
    }
}
