using Microsoft.Extensions.Options;

namespace Atelier.Silo.KServe.Grpc;

/// <summary>
/// Registers <see cref="KServeInferenceService"/> on Grpc.AspNetCore. Its route (<c>/inference.GRPCInferenceService/*</c>)
/// is reachable on every HTTP/2 endpoint of the silo, i.e. its gRPC port; its message limits follow
/// <see cref="KServeOptions.MaxRequestBytes"/> (in) and are unbounded by gRPC's 4 MiB default (out: ISNet's outputs).
/// </summary>
internal static class KServeGrpcRegistration
{
    public static IServiceCollection AddKServeGrpc(this IServiceCollection services)
    {
        // IgnoreUnknownServices: calls to services Grpc.AspNetCore does not host fall through to the other endpoints
        // (the hand-written atelier.v1 server) and, when nothing matches, to 404 as before.
        services.AddGrpc(o => o.IgnoreUnknownServices = true);
        services.AddOptions<global::Grpc.AspNetCore.Server.GrpcServiceOptions<KServeInferenceService>>()
            .Configure<IOptions<KServeOptions>>((grpc, kserve) =>
            {
                grpc.MaxReceiveMessageSize = (int)kserve.Value.MaxRequestBytes;
                grpc.MaxSendMessageSize = null;
            });
        return services;
    }

    public static IEndpointRouteBuilder MapKServeGrpc(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<KServeInferenceService>();
        return endpoints;
    }
}
