using System.Net;
using V1 = Atelier.Grpc.V1;
using HealthV1 = Atelier.Grpc.Health.V1;

namespace Atelier.Client.Grpc;

/// <summary>
/// The Atelier API over gRPC (<c>atelier.v1.Sessions</c>, <c>atelier.v1.Models</c>, <c>grpc.health.v1.Health</c>) on
/// an <see cref="HttpClient"/> speaking HTTP/2 with prior knowledge. Same typed API and errors as
/// <see cref="AtelierClient"/>; adds <see cref="InteractAsync"/>, the drag-interaction stream. Model registration,
/// deletion and the cluster view exist only over HTTP (<see cref="NotSupportedException"/>). Thread-safe; share one
/// instance (calls are multiplexed on one connection).
/// </summary>
public sealed partial class GrpcAtelierClient : IAtelierClient
{
    private const string Sessions = "atelier.v1.Sessions/";
    private const string Models = "atelier.v1.Models/";
    private const string Health = "grpc.health.v1.Health/";

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly GrpcClientOptions _options;
    private readonly GrpcInvoker _invoker;

    /// <summary>A client of the gRPC endpoint at <paramref name="server"/> (e.g. <c>http://127.0.0.1:8081</c>) with its own connection.</summary>
    public GrpcAtelierClient(Uri server, GrpcClientOptions? options = null)
        : this(new HttpClient(new SocketsHttpHandler { EnableMultipleHttp2Connections = true }) { BaseAddress = server, Timeout = Timeout.InfiniteTimeSpan }, ownsHttp: true, options)
    {
    }

    /// <summary>A client over <paramref name="httpClient"/>, whose <see cref="HttpClient.BaseAddress"/> is the gRPC endpoint.</summary>
    public GrpcAtelierClient(HttpClient httpClient, GrpcClientOptions? options = null)
        : this(httpClient, ownsHttp: false, options)
    {
    }

    private GrpcAtelierClient(HttpClient httpClient, bool ownsHttp, GrpcClientOptions? options)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        if (httpClient.BaseAddress is null)
        {
            throw new ArgumentException("The HttpClient needs a BaseAddress (the gRPC endpoint URL).", nameof(httpClient));
        }

        _http = httpClient;
        _ownsHttp = ownsHttp;
        _options = options ?? new GrpcClientOptions();
        _invoker = new GrpcInvoker(httpClient, _options);
    }

    public Uri Server => _http.BaseAddress!;

    /// <summary>Whether the health service answers (SERVING or not).</summary>
    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await CheckAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AtelierApiException)
        {
            return false;
        }
    }

    /// <summary>Whether <c>grpc.health.v1.Health/Check</c> answers SERVING (the silo is ready).</summary>
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await CheckAsync(cancellationToken).ConfigureAwait(false) == HealthV1.HealthCheckResponse.Types.ServingStatus.Serving;
        }
        catch (AtelierApiException)
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<ModelInfo>> ListModelsAsync(CancellationToken cancellationToken = default)
    {
        var reply = await _invoker.UnaryAsync(Models + "List", new V1.ListModelsRequest(), V1.ListModelsReply.Parser, cancellationToken).ConfigureAwait(false);
        var models = new ModelInfo[reply.Models.Count];
        for (var i = 0; i < models.Length; i++)
        {
            models[i] = GrpcClientConvert.Model(reply.Models[i]);
        }

        return models;
    }

    /// <summary>One model, from the list (the gRPC service has no single-model call).</summary>
    public async Task<ModelInfo> GetModelAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        foreach (var model in await ListModelsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (model.Id == id)
            {
                return model;
            }
        }

        throw new AtelierApiException(HttpStatusCode.NotFound, "model_not_found", "Model not found", $"model '{id}' does not exist", null, null);
    }

    public async Task<ModelResidencyInfo> LoadModelAsync(string id, string? silo = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var reply = await _invoker.UnaryAsync(Models + "Load", new V1.LoadModelRequest { Model = id, Silo = silo ?? "" }, V1.ModelResidency.Parser, cancellationToken).ConfigureAwait(false);
        return GrpcClientConvert.Residency(reply);
    }

    public async Task<UnloadResult> UnloadModelAsync(string id, string? silo = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var reply = await _invoker.UnaryAsync(Models + "Unload", new V1.UnloadModelRequest { Model = id, Silo = silo ?? "" }, V1.UnloadModelReply.Parser, cancellationToken).ConfigureAwait(false);
        return new UnloadResult(reply.Model, reply.Silo, reply.Unloaded);
    }

    public Task<ModelInfo> RegisterModelAsync(string id, string archivePath, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Registering a model is an HTTP call (PUT /v1/models/{id}); use the HTTP transport.");

    public Task DeleteModelAsync(string id, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Deleting a model is an HTTP call (DELETE /v1/models/{id}); use the HTTP transport.");

    public Task<ClusterInfo> GetClusterAsync(CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The cluster view is an HTTP call (GET /v1/cluster); use the HTTP transport.");

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private async Task<HealthV1.HealthCheckResponse.Types.ServingStatus> CheckAsync(CancellationToken cancellationToken)
    {
        var reply = await _invoker.UnaryAsync(Health + "Check", new HealthV1.HealthCheckRequest(), HealthV1.HealthCheckResponse.Parser, cancellationToken).ConfigureAwait(false);
        return reply.Status;
    }

    private static void ThrowIfNoId(string id) => ArgumentException.ThrowIfNullOrEmpty(id);
}
