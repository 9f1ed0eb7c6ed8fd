using Microsoft.Extensions.Options;

namespace Atelier.Silo.KServe.Grpc;

/// <summary>
/// Options of <see cref="KServeInferenceService"/> on Grpc.AspNetCore: its message limits follow
/// <see cref="KServeOptions.MaxRequestBytes"/> (in) and are unbounded by gRPC's 4 MiB default (out: ISNet's outputs).
/// The service is mapped with the silo's other gRPC services (<c>GrpcHostExtensions.MapAtelierGrpc</c>: same port,
/// interceptors and API keys; <c>ServerLive</c>/<c>ServerReady</c> are open like <c>/v2/health</c>).
/// </summary>
internal static class KServeGrpcRegistration
{
    public static IServiceCollection AddKServeGrpc(this IServiceCollection services)
    {
        services.AddOptions<global::Grpc.AspNetCore.Server.GrpcServiceOptions<KServeInferenceService>>()
            .Configure<IOptions<KServeOptions>>((grpc, kserve) =>
            {
                grpc.MaxReceiveMessageSize = (int)kserve.Value.MaxRequestBytes;
                grpc.MaxSendMessageSize = null;
            });
        return services;
    }
}
