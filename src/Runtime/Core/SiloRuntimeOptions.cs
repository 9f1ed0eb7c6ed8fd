namespace Atelier.Runtime;

/// <summary>Options of a silo's actor runtime (<c>services.AddAtelierSilo(o => ...)</c>).</summary>
public sealed class SiloRuntimeOptions
{
    /// <summary>Transport endpoint other silos use to reach this one (e.g. <c>10.0.0.7:11111</c>).
    /// Default <c>localhost</c> (embedded single silo).</summary>
    public string Endpoint { get; set; } = "localhost";

    /// <summary>Name of this silo for people (logs, headers): an error this silo answers carries it to the caller
    /// (<see cref="ExceptionOrigin.GetOriginSilo"/>). Default null: <see cref="Endpoint"/>.</summary>
    public string? Name { get; set; }

    /// <summary>Free device bytes below which <see cref="ResourceAwarePlacementDirector"/> treats a silo as full: it is
    /// then no longer preferred for a model resident on it. Size it to what one new activation needs on the device (a
    /// SAM session caches a 4 MiB float32 embedding). Default 16 MiB; 0 keeps a silo preferred until its device is
    /// completely used.</summary>
    public long PlacementMinFreeDeviceBytes { get; set; } = DefaultPlacementMinFreeDeviceBytes;

    internal const long DefaultPlacementMinFreeDeviceBytes = 16L << 20;

    /// <summary>Generation (epoch) of this silo process. Default null: the start time in Unix milliseconds.</summary>
    public long? Generation { get; set; }

    /// <summary>Calls an activation may have waiting in its mailbox; beyond it calls fail fast with
    /// <see cref="GrainOverloadedException"/>. Default 10,000 calls.</summary>
    public int MailboxCapacity { get; set; } = 10_000;

    /// <summary>How long a caller waits for a grain call before <see cref="TimeoutException"/>.
    /// Default 30 seconds; <see cref="Timeout.InfiniteTimeSpan"/> disables.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Idle time after which an activation is deactivated, unless its class has
    /// <see cref="CollectionAgeLimitAttribute"/>. Default 15 minutes.</summary>
    public TimeSpan CollectionAge { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often idle activations are looked for. Default 1 minute.</summary>
    public TimeSpan CollectionQuantum { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Deadline for deactivating every activation when the silo stops. Default 30 seconds.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether stopping first migrates activations of classes implementing <see cref="IGrainMigrationParticipant"/>
    /// to other active silos (graceful drain) before deactivating the rest. Default true.</summary>
    public bool DrainOnShutdown { get; set; } = true;

    /// <summary>Part of <see cref="ShutdownTimeout"/> spent migrating activations away when the silo stops; what has not
    /// moved by then is deactivated (its durable state stays in the product's store). Default 20 seconds; when it is not
    /// shorter than <see cref="ShutdownTimeout"/>, half of <see cref="ShutdownTimeout"/> is used.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Migrations in flight at once during a drain. Default 8.</summary>
    public int MaxConcurrentDrainMigrations { get; set; } = 8;

    /// <summary>Deadline for one <see cref="Grain.OnDeactivateAsync"/> outside shutdown. Default 10 seconds.</summary>
    public TimeSpan DeactivationTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many times a call is re-routed after reaching a silo or activation that no longer holds the
    /// grain (migration, deactivation, a lost activation race). Default 5.</summary>
    public int MaxForwardCount { get; set; } = 5;

    /// <summary>How often this silo publishes its <see cref="SiloLoad"/> to membership. Default 1 second.</summary>
    public TimeSpan LoadReportPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Director for grain classes without a <see cref="PlacementAttribute"/>.
    /// Default <see cref="RandomPlacementDirector"/>.</summary>
    public Type DefaultPlacement { get; set; } = typeof(RandomPlacementDirector);

    /// <summary>Directory entries cached per silo before the cache is cleared. Default 100,000 entries.</summary>
    public int DirectoryCacheSize { get; set; } = 100_000;

    /// <summary>How long a forwarding silo waits for membership to declare an unreachable silo dead before it retries
    /// a call that may be retried (idempotent, carrying an idempotency key, or never delivered) through a fresh lookup.
    /// Default 20 seconds (covers probe-based failure detection with margin); zero disables the retry.</summary>
    public TimeSpan FailoverWait { get; set; } = TimeSpan.FromSeconds(20);

    internal void Validate()
    {
        static void Positive(TimeSpan value, string name, bool infiniteAllowed = false)
        {
            if (value <= TimeSpan.Zero && !(infiniteAllowed && value == Timeout.InfiniteTimeSpan))
            {
                throw new InvalidOperationException($"SiloRuntimeOptions.{name} must be positive (was {value}).");
            }
        }

        if (string.IsNullOrWhiteSpace(Endpoint))
        {
            throw new InvalidOperationException("SiloRuntimeOptions.Endpoint must be set.");
        }

        if (Name is not null && string.IsNullOrWhiteSpace(Name))
        {
            throw new InvalidOperationException("SiloRuntimeOptions.Name must not be blank (null: the endpoint).");
        }

        if (PlacementMinFreeDeviceBytes < 0)
        {
            throw new InvalidOperationException("SiloRuntimeOptions.PlacementMinFreeDeviceBytes must be ≥ 0.");
        }

        if (MailboxCapacity < 1 || MaxForwardCount < 0 || DirectoryCacheSize < 1)
        {
            throw new InvalidOperationException("SiloRuntimeOptions: MailboxCapacity and DirectoryCacheSize must be ≥ 1, MaxForwardCount ≥ 0.");
        }

        Positive(ResponseTimeout, nameof(ResponseTimeout), infiniteAllowed: true);
        Positive(CollectionAge, nameof(CollectionAge));
        Positive(CollectionQuantum, nameof(CollectionQuantum));
        Positive(ShutdownTimeout, nameof(ShutdownTimeout));
        Positive(DeactivationTimeout, nameof(DeactivationTimeout));
        Positive(DrainTimeout, nameof(DrainTimeout));
        if (MaxConcurrentDrainMigrations < 1)
        {
            throw new InvalidOperationException("SiloRuntimeOptions.MaxConcurrentDrainMigrations must be ≥ 1.");
        }

        Positive(LoadReportPeriod, nameof(LoadReportPeriod));
        if (FailoverWait < TimeSpan.Zero)
        {
            throw new InvalidOperationException("SiloRuntimeOptions.FailoverWait must not be negative.");
        }

        if (!typeof(IPlacementDirector).IsAssignableFrom(DefaultPlacement))
        {
            throw new InvalidOperationException($"SiloRuntimeOptions.DefaultPlacement ({DefaultPlacement}) must implement IPlacementDirector.");
        }
    }
}
