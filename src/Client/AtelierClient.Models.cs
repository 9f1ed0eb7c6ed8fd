using System.Net.Http.Headers;

namespace Atelier.Client;

public sealed partial class AtelierClient
{
    public Task<IReadOnlyList<ModelInfo>> ListModelsAsync(CancellationToken cancellationToken = default) =>
        SendJsonAsync<IReadOnlyList<ModelInfo>>(() => Request(HttpMethod.Get, "v1/models"), idempotent: true, cancellationToken);

    public Task<ModelInfo> GetModelAsync(string id, CancellationToken cancellationToken = default) =>
        SendJsonAsync<ModelInfo>(() => Request(HttpMethod.Get, ModelPath(id)), idempotent: true, cancellationToken);

    /// <summary>Registers (or replaces) a model from an archive stream (<c>.tar.gz</c> or <c>.zip</c>), streamed to the server.</summary>
    public Task<ModelInfo> RegisterModelAsync(string id, Stream archive, string contentType = "application/gzip", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(archive);
        var content = new StreamContent(archive);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return SendJsonAsync<ModelInfo>(() => Request(HttpMethod.Put, ModelPath(id), content), idempotent: false, cancellationToken);
    }

    /// <summary>Registers a model from an archive file; <c>.zip</c> is sent as application/zip, anything else as application/gzip.</summary>
    public async Task<ModelInfo> RegisterModelAsync(string id, string archivePath, CancellationToken cancellationToken = default)
    {
        var file = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            var type = archivePath.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) ? "application/zip" : "application/gzip";
            return await RegisterModelAsync(id, file, type, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task DeleteModelAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(() => Request(HttpMethod.Delete, ModelPath(id)), idempotent: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Loads a model onto a silo's device (<paramref name="silo"/> by name; null for the silo that answers).</summary>
    public Task<ModelResidencyInfo> LoadModelAsync(string id, string? silo = null, CancellationToken cancellationToken = default) =>
        SendJsonAsync<ModelResidencyInfo>(() => Request(HttpMethod.Post, ModelPath(id) + "/load", JsonBody(new { silo })), idempotent: false, cancellationToken);

    public Task<UnloadResult> UnloadModelAsync(string id, string? silo = null, CancellationToken cancellationToken = default) =>
        SendJsonAsync<UnloadResult>(() => Request(HttpMethod.Post, ModelPath(id) + "/unload", JsonBody(new { silo })), idempotent: false, cancellationToken);

    public Task<ClusterInfo> GetClusterAsync(CancellationToken cancellationToken = default) =>
        SendJsonAsync<ClusterInfo>(() => Request(HttpMethod.Get, "v1/cluster"), idempotent: true, cancellationToken);

    private static string ModelPath(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return "v1/models/" + Escape(id);
    }
}
