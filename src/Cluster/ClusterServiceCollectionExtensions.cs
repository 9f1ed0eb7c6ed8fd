using Atelier.Grains.Storage;
using Atelier.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Atelier.Cluster;

/// <summary>DI registration of cluster mode.</summary>
public static class ClusterServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Redis connection, <see cref="RedisMembership"/> (also as the hosted service running heartbeats;
    /// register before the runtime so it starts first), <see cref="RedisGrainDirectory"/>, <see cref="Http2Transport"/>,
    /// <see cref="RedisSessionStore"/>, <see cref="FailureDetector"/> (probes) and the device load source (device memory
    /// and resident models in the published load). These win over the runtime's and grains' in-memory defaults (TryAdd).
    /// </summary>
    public static IServiceCollection AddAtelierRedisCluster(this IServiceCollection services, Action<ClusterOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ClusterOptions>().Configure(configure).Validate(o =>
        {
            o.Validate();
            return true;
        }).ValidateOnStart();
        services.AddSingleton<IConnectionMultiplexer>(sp =>
        {
            var configuration = ConfigurationOptions.Parse(sp.GetRequiredService<IOptions<ClusterOptions>>().Value.Redis);
            configuration.AbortOnConnectFail = false;
            return ConnectionMultiplexer.Connect(configuration);
        });
        services.AddSingleton<RedisMembership>();
        services.AddSingleton<IMembership>(sp => sp.GetRequiredService<RedisMembership>());
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<RedisMembership>());
        services.AddSingleton<IGrainDirectory, RedisGrainDirectory>();
        services.AddSingleton<Http2Transport>();
        services.AddSingleton<IMessageTransport>(sp => sp.GetRequiredService<Http2Transport>());
        services.AddSingleton<FailureDetector>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<FailureDetector>());
        services.AddSingleton<DirectoryReassertion>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<DirectoryReassertion>());
        services.AddSingleton<ISessionStore, RedisSessionStore>();
        services.TryAddSingleton<ISiloLoadSource, DeviceLoadSource>();
        return services;
    }
}
