namespace Atelier.Silo.Grpc;

/// <summary>The gRPC front end (Grpc.AspNetCore on its own HTTP/2-only Kestrel endpoint). Configuration section <c>Grpc</c>.</summary>
public sealed class GrpcOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Grpc";

    /// <summary>gRPC port used when <see cref="Port"/> is unset and the silo listens on its default URL (<c>http://127.0.0.1:8080</c>).</summary>
    public const int DefaultPort = 8081;

    /// <summary>Room for the other fields of the message that carries an upload (an <c>OpenRequest</c> holding the whole image).</summary>
    public const int MessageOverheadBytes = 64 << 10;

    /// <summary>
    /// TCP port of the HTTP/2 cleartext (h2c, prior knowledge) endpoint that serves gRPC. Unset (default): 8081 when the
    /// silo runs on its default URL, otherwise no gRPC endpoint (so silos given explicit URLs never collide on 8081);
    /// <c>0</c>: disabled. With TLS (<c>Kestrel:Endpoints</c> with a certificate) gRPC is also served on every HTTPS
    /// endpoint through ALPN (docs/grpc.md).
    /// </summary>
    public int? Port { get; set; }

    /// <summary>Address the gRPC endpoint binds to. Default: <c>127.0.0.1</c> (use <c>0.0.0.0</c> in a container).</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// Largest request message, in bytes, after decompression (Grpc.AspNetCore's <c>MaxReceiveMessageSize</c>); larger
    /// ones fail with RESOURCE_EXHAUSTED, refused from the message prefix. Default: <c>Api:MaxUploadBytes</c> + 64 KiB,
    /// so one <c>OpenRequest</c> may carry the largest image the API accepts.
    /// </summary>
    public int? MaxReceiveMessageBytes { get; set; }

    /// <summary>Largest response message, in bytes (an edited image PNG); larger ones fail with RESOURCE_EXHAUSTED. Default: 64 MiB.</summary>
    public int MaxSendMessageBytes { get; set; } = 64 << 20;

    /// <summary>Most messages a client may send on one stream (Open chunks, Interact prompts). Default: 100000.</summary>
    public int MaxStreamMessages { get; set; } = 100_000;

    /// <summary>Bytes per <c>ImageChunk</c> of <c>GetImage</c>. Default: 64 KiB.</summary>
    public int ImageChunkBytes { get; set; } = 64 << 10;

    /// <summary>
    /// How often the health checks are re-run for <c>grpc.health.v1.Health/Watch</c> streams (the health check
    /// publisher's period; ASP.NET Core's minimum is 1 s), in milliseconds. Default: 1000.
    /// </summary>
    public int HealthWatchIntervalMs { get; set; } = 1000;

    /// <summary>Serve gRPC server reflection (<c>grpc.reflection.v1</c> and <c>v1alpha</c>, what <c>grpcurl</c> uses). Default: true.</summary>
    public bool Reflection { get; set; } = true;

    /// <summary>The receive limit in force: <see cref="MaxReceiveMessageBytes"/>, else the upload limit plus the message overhead.</summary>
    public int EffectiveMaxReceiveMessageBytes(long maxUploadBytes) =>
        MaxReceiveMessageBytes ?? (int)Math.Min(int.MaxValue, maxUploadBytes + MessageOverheadBytes);

    /// <summary>The port to serve gRPC on, or 0 for none, given the silo's public URLs.</summary>
    public int ResolvePort(string? urls, bool kestrelEndpointsConfigured) => Port switch
    {
        { } configured => configured,
        null when !kestrelEndpointsConfigured && (string.IsNullOrEmpty(urls) || urls == Hosting.SiloOptions.DefaultUrl) => DefaultPort,
        _ => 0,
    };
}
