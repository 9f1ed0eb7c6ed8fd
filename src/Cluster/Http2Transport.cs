using System.Net;
using System.Net.Http.Headers;
using Atelier.Cluster.Diagnostics;
using Atelier.Runtime;
using Microsoft.Extensions.Options;

namespace Atelier.Cluster;

/// <summary>
/// Silo-to-silo frames over HTTP/2 cleartext (h2c, prior knowledge): one pooled <see cref="SocketsHttpHandler"/>
/// multiplexes every call to a silo over its connection; frames travel as raw <c>application/octet-stream</c>
/// bodies. The caller's token cancels the HTTP/2 stream (the runtime also sends its own cancel frame);
/// <see cref="ClusterOptions.TransportTimeout"/> bounds each exchange. Unreachable or refusing silos surface as
/// <see cref="SiloUnavailableException"/>.
/// </summary>
public sealed class Http2Transport : IMessageTransport, IDisposable
{
    /// <summary>Path of the internal frame endpoint.</summary>
    public const string FramePath = "/_atelier/silo/frame";

    /// <summary>Header naming the silo (address with generation) a frame is meant for.</summary>
    public const string TargetHeader = "X-Atelier-Target";

    private static readonly MediaTypeHeaderValue OctetStream = new("application/octet-stream");
    private readonly HttpClient _client;
    private readonly TimeSpan _timeout;
    private readonly ClusterMetrics? _metrics;

    public Http2Transport(IOptions<ClusterOptions> options, System.Diagnostics.Metrics.IMeterFactory? meterFactory = null)
    {
        _metrics = ClusterMetrics.ForTransport(meterFactory);
        ArgumentNullException.ThrowIfNull(options);
        _timeout = options.Value.TransportTimeout;
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
        };
        _client = new HttpClient(handler)
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <inheritdoc />
    public async Task<ReadOnlyMemory<byte>> SendRequestAsync(SiloAddress target, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken) =>
        await SendAsync(target, frame, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public Task SendOneWayAsync(SiloAddress target, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken) =>
        SendAsync(target, frame, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private async Task<byte[]> SendAsync(SiloAddress target, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("http://" + target.Endpoint + FramePath))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ReadOnlyMemoryContent(frame),
        };
        request.Content.Headers.ContentType = OctetStream;
        request.Headers.TryAddWithoutValidation(TargetHeader, target.ToString());
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var outcome = "error";
        var received = 0;
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                outcome = "unavailable";
                throw new SiloUnavailableException($"Silo {target} refused the frame: HTTP {(int)response.StatusCode}.");
            }

            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            (outcome, received) = ("ok", body.Length);
            return body;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            outcome = "timeout";
            throw new TimeoutException($"Silo {target} did not answer within {_timeout}.");
        }
        catch (HttpRequestException exception)
        {
            outcome = "unavailable";
            throw new SiloUnavailableException($"Silo {target} is not reachable: {exception.Message}", exception);
        }
        finally
        {
            _metrics?.FrameSent(frame.Length, received, started, outcome);
        }
    }
}
