using Atelier.Grains.Memory;
using Atelier.Grains.Models;
using Atelier.Grains.Sessions;
using Atelier.Grains.Storage;
using Atelier.Models.Adapters;
using Atelier.Models.Manifest;
using Atelier.Models.Onnx;
using Atelier.Models.Store;
using Atelier.Grains.Placement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Atelier.Grains.Hosting;

/// <summary>Registration of the product on an Orleans silo: grains, model host, device memory, placement, stores.</summary>
public static class GrainsServiceCollectionExtensions
{
    /// <summary>
    /// Adds what the session grain needs on this silo: the model host and device memory manager (DI singletons), the
    /// model host grain service (one per silo, addressable by silo), the session placement director and the device
    /// figures it reads, bound to configuration sections <c>Sessions</c>, <c>Sessions:Cache</c>, <c>Device</c>,
    /// <c>Models:Host</c>, <c>Models:Store</c>, <c>Models:Loader</c>, <c>Placement</c>. Embedded defaults: in-memory
    /// session store, filesystem model store under the setup cache (<c>$ATELIER_HOME/models</c>). Grain classes are
    /// found by Orleans itself.
    /// </summary>
    public static ISiloBuilder AddAtelierGrains(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        silo.AddGrainService<ModelHostService>();
        silo.AddPlacementDirector<SessionPlacementStrategy, SessionPlacementDirector>();
        var services = silo.Services;
        services.AddOptions<SessionOptions>().Bind(configuration.GetSection(SessionOptions.SectionName))
            .Validate(o => o.MaxPoints is >= 1 and <= 1024, "Sessions:MaxPoints must be in 1..1024.")
            .Validate(o => o.MaxDilate is >= 0 and <= 512, "Sessions:MaxDilate must be in 0..512.")
            .Validate(o => o.MaxHistoryVersions >= 1 && o.MaxHistoryBytes > 0, "Sessions:MaxHistoryVersions and MaxHistoryBytes must be positive.")
            .Validate(o => o.DefaultTtl > TimeSpan.Zero && o.DefaultTtl <= o.MaxTtl, "Sessions:DefaultTtl must be positive and at most MaxTtl.")
            .Validate(o => o.MaxRememberedEdits is >= 1 and <= 10_000, "Sessions:MaxRememberedEdits must be in 1..10000.")
            .ValidateOnStart();
        services.AddOptions<SessionCacheOptions>().Bind(configuration.GetSection(SessionCacheOptions.SectionName))
            .Validate(o => o.TtlCheckPeriod > TimeSpan.Zero, "Sessions:Cache:TtlCheckPeriod must be positive.")
            .ValidateOnStart();
        services.AddOptions<DeviceMemoryOptions>().Bind(configuration.GetSection(DeviceMemoryOptions.SectionName))
            .Validate(o => o.EffectiveDeviceBudget > 0 && o.EffectiveHostBudget >= 0, "Device:MemoryBudgetMB must be positive, Device:HostBudgetMB non-negative.")
            .ValidateOnStart();
        services.AddOptions<ModelHostOptions>().Bind(configuration.GetSection(ModelHostOptions.SectionName))
            .Validate(o => o.MaxConcurrentRuns >= 1 && o.MaxQueuedRunsPerModel >= 1, "Models:Host:MaxConcurrentRuns and MaxQueuedRunsPerModel must be at least 1.")
            .Validate(o => o.MaxBatch is >= 1 and <= ModelFile.MaxBatchLimit, $"Models:Host:MaxBatch must be in 1..{ModelFile.MaxBatchLimit}.")
            .Validate(o => o.BatchQueueDelay >= TimeSpan.Zero && o.BatchQueueDelay <= TimeSpan.FromMilliseconds(100), "Models:Host:BatchQueueDelay must be in 0..100 ms.")
            .ValidateOnStart();
        services.AddOptions<ModelStoreOptions>().Bind(configuration.GetSection(ModelStoreOptions.SectionName))
            .PostConfigure(o => o.RootPath ??= DefaultModelRoot())
            .Validate(o => o.MaxArchiveBytes > 0 && o.MaxExtractedBytes > 0 && o.MaxEntries > 0, "Models:Store limits must be positive.")
            .ValidateOnStart();
        services.AddOptions<ModelLoaderOptions>().Bind(configuration.GetSection(ModelLoaderOptions.SectionName));
        services.AddOptions<OnnxRuntimeOptions>().Bind(configuration.GetSection(OnnxRuntimeOptions.SectionName));

        services.AddOptions<PlacementOptions>().Bind(configuration.GetSection(PlacementOptions.SectionName))
            .Validate(o => o.MinFreeDeviceBytes >= 0 && o.RefreshPeriod > TimeSpan.Zero, "Placement:MinFreeDeviceBytes must be non-negative and Placement:RefreshPeriod positive.")
            .ValidateOnStart();

        // The host may register the silo's display name first; otherwise Orleans' silo name names it.
        services.TryAddSingleton(sp => new SiloIdentity(sp.GetRequiredService<ILocalSiloDetails>().Name));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ISessionStore, InMemorySessionStore>();
        services.TryAddSingleton<IModelStore>(sp => new FileSystemModelStore(
            sp.GetRequiredService<IOptions<ModelStoreOptions>>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<FileSystemModelStore>>()));
        services.TryAddSingleton<ModelLoader>();
        services.TryAddSingleton<DeviceMemoryManager>();
        services.TryAddSingleton<ModelHost>();
        services.TryAddSingleton<SessionRegistry>();
        services.AddHostedService<ModelHostStartup>();
        services.AddSingleton<IModelHostServiceClient, ModelHostServiceClient>();
        services.AddSingleton<DeviceFigures>();
        services.AddHostedService(sp => sp.GetRequiredService<DeviceFigures>());
        return silo;
    }

    /// <summary><c>$ATELIER_HOME/models</c>, or <c>.atelier/models</c> of the nearest ancestor folder.</summary>
    public static string DefaultModelRoot() =>
        Path.Combine(AtelierCache.FindRoot() ?? Path.Combine(Environment.CurrentDirectory, ".atelier"), "models");
}
