using Atelier.Grpc;

namespace Atelier.Silo.Grpc;

/// <summary>
/// Routes <c>POST /&lt;package.Service&gt;/&lt;Method&gt;</c> for the three services. An unknown method of a known service
/// answers UNIMPLEMENTED; an unknown service is a 404, which gRPC clients also read as UNIMPLEMENTED.
/// </summary>
internal static class GrpcEndpoints
{
    public static IEndpointRouteBuilder MapGrpcEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/" + SessionsService.ServiceName + "/{method}", context =>
        {
            var method = MethodOf(context);
            var service = context.RequestServices.GetRequiredService<SessionsService>();
            return RunAsync(context, SessionsService.ServiceName, method, service.Find(method), authenticate: true, SessionsService.IsStreaming(method));
        }).ExcludeFromDescription();

        endpoints.MapPost("/" + ModelsService.ServiceName + "/{method}", context =>
        {
            var method = MethodOf(context);
            var service = context.RequestServices.GetRequiredService<ModelsService>();
            return RunAsync(context, ModelsService.ServiceName, method, service.Find(method), authenticate: true, streaming: false);
        }).ExcludeFromDescription();

        endpoints.MapPost("/" + HealthService.ServiceName + "/{method}", context =>
        {
            var method = MethodOf(context);
            var service = context.RequestServices.GetRequiredService<HealthService>();
            return RunAsync(context, HealthService.ServiceName, method, service.Find(method), authenticate: false, streaming: method == "Watch");
        }).ExcludeFromDescription();

        return endpoints;
    }

    private static string MethodOf(HttpContext context) => context.Request.RouteValues["method"] as string ?? "";

    private static Task RunAsync(HttpContext context, string service, string method, Func<GrpcCall, Task>? handler, bool authenticate, bool streaming)
    {
        var server = context.RequestServices.GetRequiredService<GrpcServer>();
        handler ??= _ => throw new GrpcException(GrpcStatusCode.Unimplemented, $"{service} has no method '{method}'");
        return server.RunAsync(context, service + "/" + method, authenticate, streaming, handler);
    }
}
