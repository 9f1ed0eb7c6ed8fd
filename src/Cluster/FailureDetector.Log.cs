using Atelier.Runtime;
using Microsoft.Extensions.Logging;

namespace Atelier.Cluster;

internal sealed partial class FailureDetector
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 920, Level = LogLevel.Information, Message = "Probe of {Silo} missed ({Missed} in a row).")]
        public static partial void ProbeMissed(ILogger logger, SiloAddress silo, int missed);

        [LoggerMessage(EventId = 921, Level = LogLevel.Warning, Message = "Probe round failed; retrying next period.")]
        public static partial void ProbeRoundFailed(ILogger logger, Exception exception);
    }
}
