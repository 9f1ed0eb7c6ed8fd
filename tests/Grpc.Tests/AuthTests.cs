using Grpc.Core;
using Atelier.Client;
using Atelier.Client.Grpc;
using Atelier.Grpc.Tests.Support;
using Atelier.Grpc.V1;
using System.Net;

namespace Atelier.Grpc.Tests;

/// <summary>API keys and tenants over gRPC: metadata <c>authorization: Bearer</c>, the same keys as the HTTP API.</summary>
public sealed class AuthTests : IAsyncLifetime
{
    private const string TenantA = "tenant-a-key-0123456789";
    private const string TenantB = "tenant-b-key-0123456789";

    private readonly GrpcSilo _silo = new(
        ("Security:ApiKeys:0:Key", TenantA), ("Security:ApiKeys:0:Tenant", "a"),
        ("Security:ApiKeys:1:Key", TenantB), ("Security:ApiKeys:1:Tenant", "b"));

    public Task InitializeAsync() => _silo.InitializeAsync();

    public Task DisposeAsync() => _silo.DisposeAsync();

    [Fact]
    public async Task Missing_or_unknown_key_is_unauthenticated_health_stays_open()
    {
        using var http = _silo.CreateGrpcHttpClient();

        var missing = await RawGrpc.CallAsync(http, "atelier.v1.Models/List", new byte[5]);
        var unknown = await RawGrpc.CallAsync(http, "atelier.v1.Models/List", new byte[5], headers: [("authorization", "Bearer not-a-key-at-all-000")]);
        var health = await RawGrpc.CallAsync(http, "grpc.health.v1.Health/Check", new byte[5]);
        var valid = await RawGrpc.CallAsync(http, "atelier.v1.Models/List", new byte[5], headers: [("authorization", "Bearer " + TenantA)]);

        Assert.Equal(((int)StatusCode.Unauthenticated, "unauthorized"), (missing.Status!.Value, missing.Code));
        Assert.Equal(((int)StatusCode.Unauthenticated, "unauthorized"), (unknown.Status!.Value, unknown.Code));
        Assert.Equal(0, health.Status);
        Assert.Equal(0, valid.Status);
        Assert.NotEmpty(ListModelsReply.Parser.ParseFrom(Assert.Single(valid.Payloads)).Models);
    }

    [Fact]
    public async Task Tenant_over_its_rate_is_resource_exhausted_with_retry_after()
    {
        var limited = new GrpcSilo(("Security:RatePerSecond", "1"), ("Security:RateBurst", "1"));
        await limited.InitializeAsync();
        try
        {
            using var client = new GrpcAtelierClient(limited.GrpcUri);

            await client.ListModelsAsync();
            var error = await Assert.ThrowsAsync<AtelierApiException>(() => client.ListModelsAsync());

            Assert.Equal((HttpStatusCode.TooManyRequests, "rate_limited"), (error.StatusCode, error.Code));
            Assert.True(error.RetryAfter >= TimeSpan.FromSeconds(1));
        }
        finally
        {
            await limited.DisposeAsync();
        }
    }

    [Fact]
    public async Task Another_tenants_session_is_not_found()
    {
        using var a = new GrpcAtelierClient(_silo.GrpcUri, new GrpcClientOptions { ApiKey = TenantA });
        using var b = new GrpcAtelierClient(_silo.GrpcUri, new GrpcClientOptions { ApiKey = TenantB });
        using var image = new MemoryStream(Silo.Tests.Http.TestImages.Png(64, 48));

        var session = await a.OpenSessionAsync(image, "image/png");
        var error = await Assert.ThrowsAsync<AtelierApiException>(() => b.GetSessionAsync(session.Id));

        Assert.Equal((HttpStatusCode.NotFound, "session_not_found"), (error.StatusCode, error.Code));
        Assert.Equal(session.Id, (await a.GetSessionAsync(session.Id)).Id);
    }
}
