using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Atelier.Grpc;
using Google.Protobuf;

namespace Atelier.Client.Grpc;

/// <summary>
/// Makes gRPC calls over an <see cref="HttpClient"/> speaking HTTP/2 (prior knowledge for <c>http://</c>): frames
/// requests, reads framed responses, and turns the final status into an <see cref="AtelierApiException"/>.
/// Cancelling a call resets its HTTP/2 stream (RST_STREAM), which cancels it on the server.
/// </summary>
internal sealed class GrpcInvoker(HttpClient http, GrpcClientOptions options)
{
    public async Task<TResponse> UnaryAsync<TResponse>(string path, IMessage request, MessageParser<TResponse> parser, CancellationToken cancellationToken)
        where TResponse : class, IMessage<TResponse>
    {
        var buffer = new ArrayBufferWriter<byte>(request.CalculateSize() + GrpcProtocol.FrameHeaderBytes);
        GrpcMessageWriter.Write(buffer, request, options.CompressRequests);
        using var content = new ByteArrayContent(buffer.WrittenSpan.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue(GrpcProtocol.ContentType);
        using var response = await SendAsync(path, content, cancellationToken).ConfigureAwait(false);
        return await ReadSingleAsync(response, parser, cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<TResponse> ServerStreamingAsync<TResponse>(
        string path, IMessage request, MessageParser<TResponse> parser, [EnumeratorCancellation] CancellationToken cancellationToken)
        where TResponse : class, IMessage<TResponse>
    {
        var buffer = new ArrayBufferWriter<byte>(request.CalculateSize() + GrpcProtocol.FrameHeaderBytes);
        GrpcMessageWriter.Write(buffer, request, options.CompressRequests);
        using var content = new ByteArrayContent(buffer.WrittenSpan.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue(GrpcProtocol.ContentType);
        using var response = await SendAsync(path, content, cancellationToken).ConfigureAwait(false);
        var reader = await ReaderAsync(response, cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(parser, cancellationToken).ConfigureAwait(false) is { } message)
        {
            yield return message;
        }

        GrpcCallError.ThrowIfFailed(response);
    }

    /// <summary>Starts a call whose request is written while it runs; the task completes when the response headers arrive.</summary>
    public (StreamingContent Request, Task<HttpResponseMessage> Response) StartStreaming(string path, CancellationToken cancellationToken)
    {
        var content = new StreamingContent();
        return (content, SendAsync(path, content, cancellationToken));
    }

    /// <summary>Reads the one response message of a unary or client-streaming call, then its status.</summary>
    public async Task<TResponse> ReadSingleAsync<TResponse>(HttpResponseMessage response, MessageParser<TResponse> parser, CancellationToken cancellationToken)
        where TResponse : class, IMessage<TResponse>
    {
        var reader = await ReaderAsync(response, cancellationToken).ConfigureAwait(false);
        var message = await reader.ReadAsync(parser, cancellationToken).ConfigureAwait(false);
        var extra = message is null ? null : await reader.ReadAsync(parser, cancellationToken).ConfigureAwait(false);
        GrpcCallError.ThrowIfFailed(response);
        if (message is null || extra is not null)
        {
            throw GrpcCallError.Exception(GrpcStatusCode.Internal, "expected exactly one response message", null, null, null);
        }

        return message;
    }

    public async Task<GrpcMessageReader> ReaderAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var encoding = response.Headers.TryGetValues(GrpcProtocol.EncodingHeader, out var values) ? values.FirstOrDefault() : null;
        return new GrpcMessageReader(PipeReader.Create(stream), options.MaxReceiveMessageBytes, encoding);
    }

    private async Task<HttpResponseMessage> SendAsync(string path, HttpContent content, CancellationToken cancellationToken)
    {
        // Not disposed here: that would dispose a streaming body while it is still being written.
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.TryAddWithoutValidation("te", "trailers");
        request.Headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, GrpcProtocol.SupportedEncodings);
        if (options.CompressRequests)
        {
            request.Headers.TryAddWithoutValidation(GrpcProtocol.EncodingHeader, GrpcProtocol.Gzip);
        }

        if (options.ApiKey is { Length: > 0 } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (options.Deadline is { } deadline)
        {
            request.Headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeout.Format(deadline));
        }

        cancellationToken.ThrowIfCancellationRequested();
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The call was cancelled.", e, cancellationToken);
        }

        if (response.StatusCode != HttpStatusCode.OK || !GrpcProtocol.IsGrpcContentType(response.Content.Headers.ContentType?.ToString()))
        {
            using (response)
            {
                throw GrpcCallError.FromHttp(response);
            }
        }

        return response;
    }
}
