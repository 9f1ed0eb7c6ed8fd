using System.Globalization;

namespace Atelier.Cluster.Tests;

/// <summary>
/// Three silo processes (r0, r1, r2) on a Redis of their own, shared by the tests of one class: API keys of two
/// tenants (requests act as <see cref="OwnerTenantKey"/>'s tenant unless a test says otherwise) and gRPC on each silo.
/// </summary>
public sealed class RoutingCluster : IAsyncLifetime
{
    public const string OwnerTenantKey = "owner-tenant-key-0123456789";
    public const string OtherTenantKey = "other-tenant-key-0123456789";
    private static readonly string[] Names = ["r0", "r1", "r2"];
    private readonly RedisServerFixture _redis = new();
    private readonly int[] _grpcPorts = RedisServerFixture.FreePorts(Names.Length);
    private SessionCluster? _cluster;

    internal SessionCluster Cluster => _cluster ?? throw new InvalidOperationException("not started");

    /// <summary>The gRPC port of <paramref name="silo"/>.</summary>
    internal int GrpcPort(SiloProcess silo) => _grpcPorts[Array.IndexOf(Names, silo.Name)];

    public async Task InitializeAsync()
    {
        await _redis.StartAsync();
        _cluster = await SessionCluster.StartAsync(_redis.Configuration, _redis.NewPrefix("routing"), Names, name =>
        {
            var environment = SessionCluster.DefaultEnvironment();
            environment["ATELIER__Security__ApiKeys__0__Key"] = OwnerTenantKey;
            environment["ATELIER__Security__ApiKeys__0__Tenant"] = "acme";
            environment["ATELIER__Security__ApiKeys__1__Key"] = OtherTenantKey;
            environment["ATELIER__Security__ApiKeys__1__Tenant"] = "globex";
            environment["ATELIER__Grpc__Port"] = _grpcPorts[Array.IndexOf(Names, name)].ToString(CultureInfo.InvariantCulture);
            return environment;
        }, apiKey: OwnerTenantKey);
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        await _redis.DisposeAsync();
    }
}
