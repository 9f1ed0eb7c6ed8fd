using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using V1 = Atelier.Grpc.V1;
using HealthV1 = Atelier.Grpc.Health.V1;

namespace Atelier.Client.Grpc;

/// <summary>
/// The Atelier API over gRPC (<c>atelier.v1.Sessions</c>, <c>atelier.v1.Models</c>, <c>grpc.health.v1.Health</c>):
/// the clients generated from proto/ on a Grpc.Net.Client <see cref="GrpcChannel"/> (HTTP/2; prior knowledge for
/// <c>http://</c>). Same typed API and errors as <see cref="AtelierClient"/>; adds <see cref="InteractAsync"/>, the
/// drag-interaction stream. Model registration, deletion and the cluster view exist only over HTTP
/// (<see cref="NotSupportedException"/>). Thread-safe; share one instance (calls are multiplexed on its connections).
/// </summary>
public sealed partial class GrpcAtelierClient : IAtelierClient
{
    private readonly GrpcChannel _channel;
    private readonly GrpcClientOptions _options;
    private readonly Metadata _headers = [];
    private readonly V1.Sessions.SessionsClient _sessions;
    private readonly V1.Models.ModelsClient _models;
    private readonly HealthV1.Health.HealthClient _health;

    /// <summary>A client of the gRPC endpoint at <paramref name="server"/> (e.g. <c>http://127.0.0.1:8081</c>) with its own connections.</summary>
    public GrpcAtelierClient(Uri server, GrpcClientOptions? options = null)
        : this(server, httpClient: null, options)
    {
    }

    /// <summary>A client over <paramref name="httpClient"/>, whose <see cref="HttpClient.BaseAddress"/> is the gRPC endpoint (not disposed with the client).</summary>
    public GrpcAtelierClient(HttpClient httpClient, GrpcClientOptions? options = null)
        : this(httpClient?.BaseAddress ?? throw new ArgumentException("The HttpClient needs a BaseAddress (the gRPC endpoint URL).", nameof(httpClient)),
            httpClient, options)
    {
    }

    private GrpcAtelierClient(Uri server, HttpClient? httpClient, GrpcClientOptions? options)
    {
        ArgumentNullException.ThrowIfNull(server);
        _options = options ?? new GrpcClientOptions();
        var channel = new GrpcChannelOptions
        {
            MaxReceiveMessageSize = _options.MaxReceiveMessageBytes,
            MaxSendMessageSize = null,
            // A cancelled token surfaces as OperationCanceledException (GrpcCallError), as on the HTTP transport.
            ThrowOperationCanceledOnCancellation = false,
        };
        if (httpClient is not null)
        {
            channel.HttpClient = httpClient;
            channel.DisposeHttpClient = false;
        }
        else
        {
            channel.HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
            channel.DisposeHttpClient = true;
        }

        _channel = GrpcChannel.ForAddress(server, channel);
        if (_options.ApiKey is { Length: > 0 } key)
        {
            _headers.Add("authorization", "Bearer " + key);
        }

        if (_options.CompressRequests)
        {
            // Grpc.Net.Client's per-call request compression; the server answers gzip calls with gzip.
            _headers.Add("grpc-internal-encoding-request", "gzip");
        }

        _sessions = new V1.Sessions.SessionsClient(_channel);
        _models = new V1.Models.ModelsClient(_channel);
        _health = new HealthV1.Health.HealthClient(_channel);
        Server = server;
    }

    public Uri Server { get; }

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
        var reply = await UnaryAsync(_models.ListAsync(new V1.ListModelsRequest(), Options(cancellationToken)), cancellationToken).ConfigureAwait(false);
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
        var reply = await UnaryAsync(_models.LoadAsync(new V1.LoadModelRequest { Model = id, Silo = silo ?? "" }, Options(cancellationToken)), cancellationToken).ConfigureAwait(false);
        return GrpcClientConvert.Residency(reply);
    }

    public async Task<UnloadResult> UnloadModelAsync(string id, string? silo = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var reply = await UnaryAsync(_models.UnloadAsync(new V1.UnloadModelRequest { Model = id, Silo = silo ?? "" }, Options(cancellationToken)), cancellationToken).ConfigureAwait(false);
        return new UnloadResult(reply.Model, reply.Silo, reply.Unloaded);
    }

    public Task<ModelInfo> RegisterModelAsync(string id, string archivePath, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Registering a model is an HTTP call (PUT /v1/models/{id}); use the HTTP transport.");

    public Task DeleteModelAsync(string id, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Deleting a model is an HTTP call (DELETE /v1/models/{id}); use the HTTP transport.");

    public Task<ClusterInfo> GetClusterAsync(CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The cluster view is an HTTP call (GET /v1/cluster); use the HTTP transport.");

    public void Dispose() => _channel.Dispose();

    private async Task<HealthV1.HealthCheckResponse.Types.ServingStatus> CheckAsync(CancellationToken cancellationToken)
    {
        var reply = await UnaryAsync(_health.CheckAsync(new HealthV1.HealthCheckRequest(), Options(cancellationToken)), cancellationToken).ConfigureAwait(false);
        return reply.Status;
    }

    /// <summary>The options of one call: the API key (and compression) metadata, the deadline, the caller's token.</summary>
    private CallOptions Options(CancellationToken cancellationToken) =>
        new(_headers, _options.Deadline is { } deadline ? DateTime.UtcNow + deadline : null, cancellationToken);

    /// <summary>The reply of a unary call; its failure as the HTTP transport's exception.</summary>
    private static async Task<T> UnaryAsync<T>(AsyncUnaryCall<T> call, CancellationToken cancellationToken)
    {
        using (call)
        {
            try
            {
                return await call.ResponseAsync.ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                throw GrpcCallError.From(e, cancellationToken);
            }
        }
    }
}
