using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Atelier.Grpc.Tests.Support;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1;
using HealthService = Grpc.Health.V1.Health;

namespace Atelier.Grpc.Tests;

/// <summary>
/// The standard services next to Atelier's, through the standard .NET client (Grpc.Net.Client) as grpcurl would use
/// them: server reflection (list, describe), health Check/Watch on the /readyz and /healthz checks, both open while
/// API keys are required; and gRPC over TLS on the public HTTPS port (ALPN).
/// </summary>
public sealed class StandardServicesTests : IAsyncLifetime
{
    private const string Key = "standard-key-0123456789";

    private readonly GrpcSilo _silo = new(("Security:ApiKeys:0:Key", Key), ("Security:ApiKeys:0:Tenant", "t"));

    public Task InitializeAsync() => _silo.InitializeAsync();

    public Task DisposeAsync() => _silo.DisposeAsync();

    [Fact]
    public async Task Reflection_lists_the_services_and_describes_a_method_without_an_api_key()
    {
        using var channel = GrpcChannel.ForAddress(_silo.GrpcUri);
        var reflection = new ServerReflection.ServerReflectionClient(channel);
        using var call = reflection.ServerReflectionInfo();

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "atelier.v1.Sessions" });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var files = call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto
            .Select(bytes => FileDescriptorProto.Parser.ParseFrom(bytes)).ToList();
        await call.RequestStream.CompleteAsync();

        Assert.Contains("atelier.v1.Sessions", services);
        Assert.Contains("atelier.v1.Models", services);
        Assert.Contains("grpc.health.v1.Health", services);
        Assert.Contains("grpc.reflection.v1.ServerReflection", services);
        var interact = files.Single(f => f.Name == "atelier/v1/sessions.proto").Service.Single(s => s.Name == "Sessions").Method.Single(m => m.Name == "Interact");
        Assert.Equal((".atelier.v1.InteractRequest", ".atelier.v1.InteractReply", true, true),
            (interact.InputType, interact.OutputType, interact.ClientStreaming, interact.ServerStreaming));
    }

    [Fact]
    public async Task Health_check_answers_the_readiness_and_liveness_services_and_watch_streams()
    {
        using var channel = GrpcChannel.ForAddress(_silo.GrpcUri);
        var health = new HealthService.HealthClient(channel);

        foreach (var service in new[] { "", "readiness", "liveness", "atelier.v1.Sessions", "atelier.v1.Models" })
        {
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = service })).Status);
        }

        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await health.CheckAsync(new HealthCheckRequest { Service = "no.such.Service" }));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);

        using var cancel = new CancellationTokenSource();
        using var watch = health.Watch(new HealthCheckRequest { Service = "atelier.v1.Sessions" }, cancellationToken: cancel.Token);
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, watch.ResponseStream.Current.Status);
        await cancel.CancelAsync();
        var cancelled = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.Cancelled, cancelled.StatusCode);
        await _silo.WaitForNoActiveCallsAsync();
    }

    [Fact]
    public async Task Reflection_can_be_turned_off()
    {
        var silo = new GrpcSilo(("Grpc:Reflection", "false"));
        await silo.InitializeAsync();
        try
        {
            using var channel = GrpcChannel.ForAddress(silo.GrpcUri);
            using var call = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo();
            await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
            var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        }
        finally
        {
            await silo.DisposeAsync();
        }
    }

    [Fact]
    public async Task With_tls_grpc_and_http_share_the_https_port_through_alpn()
    {
        var folder = Directory.CreateTempSubdirectory("atelier-tls-").FullName;
        var pfx = Path.Combine(folder, "silo.pfx");
        using (var key = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, "test"));
        }

        var port = GrpcSilo.FreePort();
        var silo = new GrpcSilo(("Grpc:Port", "0"), ("Kestrel:Endpoints:Https:Url", $"https://127.0.0.1:{port}"),
            ("Kestrel:Endpoints:Https:Certificate:Path", pfx), ("Kestrel:Endpoints:Https:Certificate:Password", "test"));
        await silo.InitializeAsync();
        try
        {
            static SocketsHttpHandler Trusting() => new()
            {
                SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            };
            using var http = new HttpClient(Trusting()) { BaseAddress = new Uri($"https://127.0.0.1:{port}/") };
            using var readyz = await http.GetAsync(new Uri("readyz", UriKind.Relative)); // HTTP/1.1 on the same port
            using var channel = GrpcChannel.ForAddress($"https://127.0.0.1:{port}", new GrpcChannelOptions { HttpHandler = Trusting() });
            var check = await new HealthService.HealthClient(channel).CheckAsync(new HealthCheckRequest());
            using var clientHttp = new HttpClient(Trusting()) { BaseAddress = new Uri($"https://127.0.0.1:{port}/") };
            using var client = new Client.Grpc.GrpcAtelierClient(clientHttp);
            var models = await client.ListModelsAsync();

            Assert.Equal(HttpStatusCode.OK, readyz.StatusCode);
            Assert.Equal(new Version(1, 1), readyz.Version);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, check.Status);
            Assert.Contains(models, m => m.Id == "sam-demo");
            Assert.Equal([$"https://127.0.0.1:{port}"], silo.Addresses);
        }
        finally
        {
            await silo.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("1n", 0L)]
    [InlineData("1500u", 15_000L)]
    [InlineData("250m", 2_500_000L)]
    [InlineData("10S", 100_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("1H", 36_000_000_000L)]
    public void Grpc_timeout_units_parse(string header, long ticks)
    {
        Assert.True(Silo.Grpc.GrpcCallInterceptor.TryParseTimeout(header, out var timeout));
        Assert.Equal(ticks, timeout.Ticks);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("5")]
    [InlineData("123456789S")]
    [InlineData("-1S")]
    [InlineData("1x")]
    public void Malformed_grpc_timeouts_are_refused(string header) =>
        Assert.False(Silo.Grpc.GrpcCallInterceptor.TryParseTimeout(header, out _));
}
