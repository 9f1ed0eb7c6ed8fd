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

    /// <summary>Path of the internal probe endpoint (failure detection).</summary>
    public const string PingPath = "/_atelier/silo/ping";

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
                // 421 (other generation), 404, 413: refused before the runtime saw the frame.
                outcome = "unavailable";
                throw new SiloUnavailableException($"Silo {target} refused the frame: HTTP {(int)response.StatusCode}.") { NotDelivered = true };
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
        catch (IOException exception)
        {
            // The connection broke while the answer was being read: the call may have run.
            outcome = "unavailable";
            throw new SiloUnavailableException($"Silo {target} broke the connection: {exception.Message}", exception);
        }
        catch (HttpRequestException exception)
        {
            outcome = "unavailable";
            throw new SiloUnavailableException($"Silo {target} is not reachable: {exception.Message}", exception)
            {
                // No connection could be made: the frame never left this process.
                NotDelivered = exception.HttpRequestError == HttpRequestError.ConnectionError,
            };
        }
        finally
        {
            _metrics?.FrameSent(frame.Length, received, started, outcome);
        }
    }

    /// <summary>
    /// Failure detection's probe: a bodiless HTTP/2 GET of <see cref="PingPath"/> on the silo's internal port, which
    /// answers 200 only for its current generation. False when it does not answer 200 within <paramref name="timeout"/>.
    /// </summary>
    public async Task<bool> PingAsync(SiloAddress target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("http://" + target.Endpoint + PingPath))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.TryAddWithoutValidation(TargetHeader, target.ToString());
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
