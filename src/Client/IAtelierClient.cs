namespace Atelier.Client;

/// <summary>
/// The typed Atelier API, whatever the transport: <see cref="AtelierClient"/> (HTTP) or
/// <see cref="Grpc.GrpcAtelierClient"/> (gRPC). Errors throw <see cref="AtelierApiException"/> with the same stable
/// codes on both; calls a transport does not offer throw <see cref="NotSupportedException"/>.
/// </summary>
public interface IAtelierClient : IDisposable
{
    /// <summary>The server this client talks to.</summary>
    Uri Server { get; }

    Task<bool> IsHealthyAsync(CancellationToken cancellationToken = default);

    Task<bool> IsReadyAsync(CancellationToken cancellationToken = default);

    Task<SessionInfo> OpenSessionAsync(Stream image, string? contentType, string? model = null, int? ttlSeconds = null, CancellationToken cancellationToken = default);

    Task<SessionInfo> OpenSessionAsync(string path, string? model = null, int? ttlSeconds = null, CancellationToken cancellationToken = default);

    Task<SessionInfo> GetSessionAsync(string id, CancellationToken cancellationToken = default);

    Task<MaskImage> SegmentAsync(string id, SegmentPrompt prompt, CancellationToken cancellationToken = default);

    Task<SegmentResult> SegmentJsonAsync(string id, SegmentPrompt prompt, CancellationToken cancellationToken = default);

    Task<MaskImage> SelectSubjectAsync(string id, int dilate = 0, CancellationToken cancellationToken = default);

    Task<SegmentResult> SelectSubjectJsonAsync(string id, int dilate = 0, CancellationToken cancellationToken = default);

    Task<byte[]> EraseAsync(string id, EraseOptions? options = null, CancellationToken cancellationToken = default);

    Task<byte[]> ReplaceAsync(string id, ReplaceOptions options, CancellationToken cancellationToken = default);

    /// <summary>Replace with step progress (HTTP: Server-Sent Events; gRPC: the <c>ReplaceStream</c> server stream).</summary>
    Task<ReplaceResult> ReplaceAsync(string id, ReplaceOptions options, IProgress<ReplaceProgress>? progress, CancellationToken cancellationToken = default);

    Task<SessionInfo> UndoAsync(string id, CancellationToken cancellationToken = default);

    Task<SessionInfo> RedoAsync(string id, CancellationToken cancellationToken = default);

    Task<byte[]> GetImageAsync(string id, ImageFormat format = ImageFormat.Png, CancellationToken cancellationToken = default);

    Task DownloadImageAsync(string id, Stream destination, ImageFormat format = ImageFormat.Png, CancellationToken cancellationToken = default);

    Task CloseSessionAsync(string id, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ModelInfo>> ListModelsAsync(CancellationToken cancellationToken = default);

    Task<ModelInfo> GetModelAsync(string id, CancellationToken cancellationToken = default);

    Task<ModelInfo> RegisterModelAsync(string id, string archivePath, CancellationToken cancellationToken = default);

    Task DeleteModelAsync(string id, CancellationToken cancellationToken = default);

    Task<ModelResidencyInfo> LoadModelAsync(string id, string? silo = null, CancellationToken cancellationToken = default);

    Task<UnloadResult> UnloadModelAsync(string id, string? silo = null, CancellationToken cancellationToken = default);

    Task<ClusterInfo> GetClusterAsync(CancellationToken cancellationToken = default);
}
