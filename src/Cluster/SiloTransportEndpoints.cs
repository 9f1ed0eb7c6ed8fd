using Atelier.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Atelier.Cluster;

/// <summary>The server side of <see cref="Http2Transport"/>: an endpoint that hands frames to the runtime.</summary>
public static class SiloTransportEndpoints
{
    /// <summary>
    /// Maps <see cref="Http2Transport.PingPath"/> (probes) and <see cref="Http2Transport.FramePath"/>, answering only on connections accepted on
    /// <see cref="ClusterOptions.SiloPort"/> (the internal h2c endpoint; the public port answers 404) and only for
    /// frames addressed to this silo's current generation (a restarted silo refuses frames meant for its predecessor).
    /// </summary>
    public static IEndpointConventionBuilder MapAtelierSiloTransport(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet(Http2Transport.PingPath, HandlePing).ExcludeFromDescription();
        return endpoints.MapPost(Http2Transport.FramePath, HandleFrameAsync).ExcludeFromDescription();
    }

    /// <summary>A probe: 200 on the internal port for this silo's current generation while the runtime serves.</summary>
    private static IResult HandlePing(HttpContext context, SiloRuntime runtime, IOptions<ClusterOptions> options)
    {
        if (context.Connection.LocalPort != options.Value.SiloPort)
        {
            return TypedResults.NotFound();
        }

        return string.Equals(context.Request.Headers[Http2Transport.TargetHeader], runtime.Address.ToString(), StringComparison.Ordinal)
            ? TypedResults.Ok()
            : TypedResults.StatusCode(StatusCodes.Status421MisdirectedRequest);
    }

    private static async Task<IResult> HandleFrameAsync(HttpContext context, IMessageHandler handler, SiloRuntime runtime, IOptions<ClusterOptions> options)
    {
        var settings = options.Value;
        if (context.Connection.LocalPort != settings.SiloPort)
        {
            return TypedResults.NotFound();
        }

        if (!string.Equals(context.Request.Headers[Http2Transport.TargetHeader], runtime.Address.ToString(), StringComparison.Ordinal))
        {
            return TypedResults.StatusCode(StatusCodes.Status421MisdirectedRequest);
        }

        if (context.Request.ContentLength is not { } length || length > settings.MaxFrameBytes)
        {
            return TypedResults.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = settings.MaxFrameBytes;
        }

        // A fresh array per frame: the runtime may keep slices of it (ReadOnlyMemory<byte> arguments).
        var frame = new byte[length];
        await context.Request.Body.ReadExactlyAsync(frame, context.RequestAborted).ConfigureAwait(false);
        var response = await handler.HandleAsync(frame, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Bytes(response, "application/octet-stream");
    }
}
