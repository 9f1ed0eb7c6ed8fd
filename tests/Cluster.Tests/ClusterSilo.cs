using System.Net;
using Atelier.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Atelier.Cluster.Tests;

/// <summary>
/// A silo in this process wired as in cluster mode: its own Kestrel with an h2c-only internal endpoint on a free
/// loopback port, Redis membership/directory (its own connection), the HTTP/2 transport and the real runtime.
/// </summary>
internal sealed class ClusterSilo : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ClusterSilo(WebApplication app)
    {
        _app = app;
        Runtime = app.Services.GetRequiredService<SiloRuntime>();
        Membership = app.Services.GetRequiredService<RedisMembership>();
    }

    public SiloRuntime Runtime { get; }

    public IServiceProvider Services => _app.Services;

    public RedisMembership Membership { get; }

    public SiloAddress Address => Runtime.Address;

    public IGrainFactory GrainFactory => Runtime.GrainFactory;

    public static async Task<ClusterSilo> StartAsync(ClusterOptions shared, string name, ProbeSignals signals)
    {
        var port = RedisServerFixture.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddAtelierRedisCluster(o =>
        {
            o.Redis = shared.Redis;
            o.KeyPrefix = shared.KeyPrefix;
            o.HeartbeatPeriod = shared.HeartbeatPeriod;
            o.TableRefreshPeriod = shared.TableRefreshPeriod;
            o.MissedHeartbeatsLimit = shared.MissedHeartbeatsLimit;
            o.ProbePeriod = shared.ProbePeriod;
            o.ProbeTimeout = shared.ProbeTimeout;
            o.MissedProbesLimit = shared.MissedProbesLimit;
            o.SuspicionQuorum = shared.SuspicionQuorum;
            o.SiloPort = port;
            o.SiloName = name;
        });
        builder.Services.AddSingleton(signals);
        builder.Services.AddAtelierSilo(o => o.Endpoint = $"127.0.0.1:{port}").AddGrain<IProbeGrain, ProbeGrain>();
        var app = builder.Build();
        app.MapAtelierSiloTransport();
        await app.StartAsync();
        return new ClusterSilo(app);
    }

    /// <summary>Dies without any graceful step: stops serving, stops heartbeating, closes its port.</summary>
    public async Task KillAsync()
    {
        Runtime.Kill();
        await Membership.StopAsync(default);
        await _app.StopAsync();
    }

    /// <summary>
    /// Crashes as far as the cluster can tell, with calls in flight: heartbeats stop and the server aborts every
    /// connection at once (in-flight HTTP/2 streams break) before the runtime stops without any graceful step (no
    /// membership update, no error frame reaches a caller). The others declare it dead by probes or heartbeat age.
    /// </summary>
    public async Task CrashAsync()
    {
        await _app.Services.GetRequiredService<IServer>().StopAsync(new CancellationToken(canceled: true));
        Runtime.Kill(); // no more load reports (they heartbeat too); whatever it answers now reaches nobody
        await Membership.StopAsync(default);
    }

    /// <summary>Stops answering anyone (its server aborts every connection) while its runtime keeps heartbeating.</summary>
    public Task MuteAsync() => _app.Services.GetRequiredService<IServer>().StopAsync(new CancellationToken(canceled: true));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
