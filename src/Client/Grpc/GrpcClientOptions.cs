namespace Atelier.Client.Grpc;

/// <summary>Behaviour of a <see cref="GrpcAtelierClient"/>.</summary>
public sealed class GrpcClientOptions
{
    /// <summary>API key sent as metadata <c>authorization: Bearer</c>; null when the server runs open. Default: null.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Deadline of every call, sent as <c>grpc-timeout</c>; the call fails with DEADLINE_EXCEEDED past it. Default: none.</summary>
    public TimeSpan? Deadline { get; set; }

    /// <summary>Largest response message accepted, in bytes. Default: 64 MiB (an edited image PNG).</summary>
    public int MaxReceiveMessageBytes { get; set; } = 64 << 20;

    /// <summary>Bytes per <c>OpenRequest</c> chunk of an upload (at most the server's receive limit). Default: 1 MiB.</summary>
    public int UploadChunkBytes { get; set; } = 1 << 20;

    /// <summary>gzip every request message (<c>grpc-encoding: gzip</c>); the server then answers gzip too. Default: false
    /// (mask and image bytes are already compressed).</summary>
    public bool CompressRequests { get; set; }
}
