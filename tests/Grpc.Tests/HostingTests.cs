using Grpc.Core;
using System.Net;
using Atelier.Grpc.Tests.Support;
using Atelier.Silo.Grpc;

namespace Atelier.Grpc.Tests;

/// <summary>Where the gRPC endpoint listens: its own HTTP/2-only port next to the public URLs, or none.</summary>
public sealed class HostingTests
{
    [Fact]
    public async Task Grpc_port_is_served_next_to_the_http_urls()
    {
        var silo = new GrpcSilo();
        await silo.InitializeAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = silo.HttpUri };
            using var health = await http.GetAsync(new Uri("healthz", UriKind.Relative));
            using var grpc = silo.CreateGrpcHttpClient();
            var check = await RawGrpc.CallAsync(grpc, "grpc.health.v1.Health/Check", new byte[5]);

            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal(0, check.Status);
            Assert.Equal(new Version(2, 0), check.Response.Version);
        }
        finally
        {
            await silo.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("0")]
    public async Task Explicit_urls_without_a_grpc_port_serve_no_grpc(string? port)
    {
        var silo = new GrpcSilo(("Grpc:Port", port));
        await silo.InitializeAsync();
        try
        {
            Assert.Equal([$"http://127.0.0.1:{silo.HttpPort}"], silo.Addresses);
        }
        finally
        {
            await silo.DisposeAsync();
        }
    }

    [Fact]
    public async Task Grpc_port_adds_an_address_and_keeps_the_configured_urls()
    {
        var silo = new GrpcSilo();
        await silo.InitializeAsync();
        try
        {
            Assert.Equal(new[] { $"http://127.0.0.1:{silo.HttpPort}", $"http://127.0.0.1:{silo.GrpcPort}" }.Order(), silo.Addresses.Order());
        }
        finally
        {
            await silo.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(null, null, false, GrpcOptions.DefaultPort)]
    [InlineData(null, "http://127.0.0.1:8080", false, GrpcOptions.DefaultPort)]
    [InlineData(null, "http://0.0.0.0:9000", false, 0)]
    [InlineData(null, null, true, 0)]
    [InlineData(9999, "http://0.0.0.0:9000", false, 9999)]
    [InlineData(0, null, false, 0)]
    public void Port_resolution_follows_the_documented_default(int? configured, string? urls, bool kestrelEndpoints, int expected) =>
        Assert.Equal(expected, new GrpcOptions { Port = configured }.ResolvePort(urls, kestrelEndpoints));
}
