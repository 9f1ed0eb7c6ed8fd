using Microsoft.Extensions.Logging;

namespace Atelier.Runtime;

/// <summary>Log messages of the runtime (event ids 100-199).</summary>
public sealed partial class SiloRuntime
{
    internal static partial class Log
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Silo {Silo} started with {GrainTypes} grain types.")]
        public static partial void Started(ILogger logger, SiloAddress silo, int grainTypes);

        [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Silo {Silo} stopping: deactivating {Activations} activations.")]
        public static partial void Stopping(ILogger logger, SiloAddress silo, int activations);

        [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Silo {Silo} stopped.")]
        public static partial void Stopped(ILogger logger, SiloAddress silo);

        [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Shutdown deadline {Deadline} passed; aborting {Count} activations.")]
        public static partial void ShutdownDeadlineExceeded(ILogger logger, int count, TimeSpan deadline);

        [LoggerMessage(EventId = 110, Level = LogLevel.Error, Message = "Activation of {GrainId} failed.")]
        public static partial void ActivationFailed(ILogger logger, Exception exception, GrainId grainId);

        [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "Deactivation of {GrainId} failed.")]
        public static partial void DeactivationFailed(ILogger logger, Exception exception, GrainId grainId);

        [LoggerMessage(EventId = 112, Level = LogLevel.Debug, Message = "{GrainId} is already active on {Winner}; this activation yields.")]
        public static partial void LostRegistration(ILogger logger, GrainId grainId, SiloAddress winner);

        [LoggerMessage(EventId = 113, Level = LogLevel.Warning, Message = "Removing the directory entry of {GrainId} failed.")]
        public static partial void UnregisterFailed(ILogger logger, Exception exception, GrainId grainId);

        [LoggerMessage(EventId = 120, Level = LogLevel.Warning, Message = "A timer tick of {GrainId} failed.")]
        public static partial void TimerTickFailed(ILogger logger, Exception exception, GrainId grainId);

        [LoggerMessage(EventId = 130, Level = LogLevel.Information, Message = "{GrainId} migrated to {Target}.")]
        public static partial void Migrated(ILogger logger, GrainId grainId, SiloAddress target);

        [LoggerMessage(EventId = 131, Level = LogLevel.Warning, Message = "Migrating {GrainId} to {Target} failed; the grain was deactivated.")]
        public static partial void MigrationFailed(ILogger logger, Exception exception, GrainId grainId, SiloAddress target);

        [LoggerMessage(EventId = 132, Level = LogLevel.Information, Message = "Silo {Silo} draining: migrating {Count} activations to other silos.")]
        public static partial void Draining(ILogger logger, SiloAddress silo, int count);

        [LoggerMessage(EventId = 133, Level = LogLevel.Information, Message = "Silo {Silo} drained: {Migrated} migrated, {Left} left to deactivate, in {ElapsedMs:F0} ms.")]
        public static partial void Drained(ILogger logger, SiloAddress silo, int migrated, int left, double elapsedMs);

        [LoggerMessage(EventId = 134, Level = LogLevel.Information, Message = "Silo {Silo} cannot drain: no other active silo; deactivating everything.")]
        public static partial void DrainSkipped(ILogger logger, SiloAddress silo);

        [LoggerMessage(EventId = 140, Level = LogLevel.Warning, Message = "Updating membership failed.")]
        public static partial void MembershipUpdateFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 141, Level = LogLevel.Debug, Message = "Sending a cancellation to {Silo} failed.")]
        public static partial void CancelSendFailed(ILogger logger, Exception exception, SiloAddress silo);

        [LoggerMessage(EventId = 142, Level = LogLevel.Information, Message = "A call to {GrainId} failed at {Silo}; retrying once it is declared dead.")]
        public static partial void FailoverWaiting(ILogger logger, GrainId grainId, SiloAddress silo);

        [LoggerMessage(EventId = 143, Level = LogLevel.Warning, Message = "{GrainId} was registered by {Silo} while the directory was lost; deactivating the copy here.")]
        public static partial void DirectoryEntryLost(ILogger logger, GrainId grainId, SiloAddress silo);

        [LoggerMessage(EventId = 144, Level = LogLevel.Warning, Message = "The directory is unreachable; new grain {GrainId} is activated here and registered when it is back.")]
        public static partial void RegistrationDeferred(ILogger logger, GrainId grainId);

        [LoggerMessage(EventId = 145, Level = LogLevel.Information, Message = "{GrainId}, activated while the directory was unreachable, is registered now.")]
        public static partial void DeferredRegistered(ILogger logger, GrainId grainId);

        [LoggerMessage(EventId = 146, Level = LogLevel.Warning, Message = "Writing the state of {GrainId} back into the emptied storage failed.")]
        public static partial void StorageRecoveryFailed(ILogger logger, Exception exception, GrainId grainId);
    }
}
