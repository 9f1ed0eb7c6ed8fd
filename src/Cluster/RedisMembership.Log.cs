using Atelier.Runtime;
using Microsoft.Extensions.Logging;

namespace Atelier.Cluster;

public sealed partial class RedisMembership
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "Membership: {Silo} is now {Status} (table version {Version}).")]
        public static partial void StatusWritten(ILogger logger, SiloAddress silo, SiloStatus status, long version);

        [LoggerMessage(EventId = 901, Level = LogLevel.Warning, Message = "Membership: {Silo} suspected, no heartbeat for {AgeMs} ms.")]
        public static partial void Suspected(ILogger logger, SiloAddress silo, long ageMs);

        [LoggerMessage(EventId = 902, Level = LogLevel.Warning, Message = "Membership: declared {Silo} dead (table version {Version}).")]
        public static partial void DeclaredDead(ILogger logger, SiloAddress silo, long version);

        [LoggerMessage(EventId = 903, Level = LogLevel.Critical, Message = "Membership: this silo {Silo} was declared dead by the cluster; it stops serving.")]
        public static partial void SelfDeclaredDead(ILogger logger, SiloAddress? silo);

        [LoggerMessage(EventId = 904, Level = LogLevel.Error, Message = "Membership loop failed; retrying.")]
        public static partial void LoopFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 905, Level = LogLevel.Warning, Message = "Membership: suspicion of {Silo} written ({Count} unexpired suspicions).")]
        public static partial void SuspicionWritten(ILogger logger, SiloAddress silo, long count);

        [LoggerMessage(EventId = 906, Level = LogLevel.Warning, Message = "Membership: Redis lost the table (epoch {Previous} -> {Current}); {Silo} wrote its row again.")]
        public static partial void TableRecreated(ILogger logger, SiloAddress silo, string? previous, string current);
    }
}
