using Atelier.Grains.Memory;
using Atelier.Grains.Models;
using Atelier.Grains.Sessions;
using Atelier.Grains.Storage;
using Atelier.Models.Adapters;
using Atelier.Models.Onnx;
using Atelier.Models.Store;
using Atelier.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Atelier.Grains.Hosting;

/// <summary>DI registration of the product: grains, model host, device memory, stores.</summary>
public static class GrainsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the session and model grains and the silo services they use, bound to configuration sections
    /// <c>Sessions</c>, <c>Sessions:Cache</c>, <c>Device</c>, <c>Models:Host</c>, <c>Models:Store</c>,
    /// <c>Models:Loader</c>. Embedded defaults: in-memory session store, filesystem model store under the
    /// setup cache (<c>$ATELIER_HOME/models</c>). Requires the runtime (<c>AddAtelierSilo</c>).
    /// </summary>
    public static IServiceCollection AddAtelierGrains(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
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
            .ValidateOnStart();
        services.AddOptions<ModelStoreOptions>().Bind(configuration.GetSection(ModelStoreOptions.SectionName))
            .PostConfigure(o => o.RootPath ??= DefaultModelRoot())
            .Validate(o => o.MaxArchiveBytes > 0 && o.MaxExtractedBytes > 0 && o.MaxEntries > 0, "Models:Store limits must be positive.")
            .ValidateOnStart();
        services.AddOptions<ModelLoaderOptions>().Bind(configuration.GetSection(ModelLoaderOptions.SectionName));
        services.AddOptions<OnnxRuntimeOptions>().Bind(configuration.GetSection(OnnxRuntimeOptions.SectionName));

        // The host may register the silo's display name first; otherwise the runtime endpoint names it.
        services.TryAddSingleton(sp => new SiloIdentity(sp.GetRequiredService<IOptions<SiloRuntimeOptions>>().Value.Endpoint));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ISessionStore, InMemorySessionStore>();
        services.TryAddSingleton<IModelStore>(sp => new FileSystemModelStore(
            sp.GetRequiredService<IOptions<ModelStoreOptions>>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<FileSystemModelStore>>()));
        services.TryAddSingleton<ModelLoader>();
        services.TryAddSingleton<DeviceMemoryManager>();
        services.TryAddSingleton<ModelHost>();
        services.TryAddSingleton<SessionRegistry>();
        services.AddHostedService<ModelHostStartup>();
        services.AddGrainsFromAssembly(typeof(GrainsServiceCollectionExtensions).Assembly);
        return services;
    }

    /// <summary><c>$ATELIER_HOME/models</c>, or <c>.atelier/models</c> of the nearest ancestor folder.</summary>
    public static string DefaultModelRoot() =>
        Path.Combine(AtelierCache.FindRoot() ?? Path.Combine(Environment.CurrentDirectory, ".atelier"), "models");
}
