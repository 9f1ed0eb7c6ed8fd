using Atelier.Grpc;
using Google.Protobuf;

namespace Atelier.Silo.Grpc;

/// <summary>
/// One gRPC call on the server: its request message reader, its response writer, and its cancellation, which fires
/// when the client resets the stream (RST_STREAM → <see cref="HttpContext.RequestAborted"/>) or the <c>grpc-timeout</c>
/// deadline passes.
/// </summary>
internal sealed class GrpcCall : IDisposable
{
    private readonly CancellationTokenSource? _deadline;
    private readonly CancellationTokenSource _linked;
    private readonly GrpcOptions _options;
    private long _messagesRead;

    public GrpcCall(HttpContext http, GrpcOptions options, TimeSpan? timeout)
    {
        Http = http;
        _options = options;
        if (timeout is { } t)
        {
            _deadline = new CancellationTokenSource();
            // A deadline under a millisecond cannot be met by any call (nor timed by the timer): it is already expired.
            if (t < TimeSpan.FromMilliseconds(1))
            {
                _deadline.Cancel();
            }
            else
            {
                _deadline.CancelAfter(t);
            }
        }

        _linked = _deadline is null
            ? CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted)
            : CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _deadline.Token);
        Reader = new GrpcMessageReader(http.Request.BodyReader, options.MaxReceiveMessageBytes, http.Request.Headers[GrpcProtocol.EncodingHeader]);
    }

    public HttpContext Http { get; }

    /// <summary>Cancelled when the client resets the stream or the deadline passes.</summary>
    public CancellationToken Token => _linked.Token;

    public bool DeadlineExpired => _deadline?.IsCancellationRequested == true;

    public GrpcMessageReader Reader { get; }

    /// <summary>The single request message of a unary or server-streaming call.</summary>
    public async ValueTask<T> ReadRequestAsync<T>(MessageParser<T> parser)
        where T : class, IMessage<T>
    {
        var message = await Reader.ReadAsync(parser, Token).ConfigureAwait(false)
            ?? throw new GrpcException(GrpcStatusCode.Internal, "the request held no message");
        if (await Reader.ReadAsync(parser, Token).ConfigureAwait(false) is not null)
        {
            throw new GrpcException(GrpcStatusCode.Unimplemented, "a unary request must hold exactly one message");
        }

        return message;
    }

    /// <summary>The next message of a client stream, or null at its end; refuses streams over <see cref="GrpcOptions.MaxStreamMessages"/>.</summary>
    public async ValueTask<T?> ReadNextAsync<T>(MessageParser<T> parser)
        where T : class, IMessage<T>
    {
        var message = await Reader.ReadAsync(parser, Token).ConfigureAwait(false);
        if (message is not null && ++_messagesRead > _options.MaxStreamMessages)
        {
            throw new GrpcException(GrpcStatusCode.ResourceExhausted,
                $"more than {_options.MaxStreamMessages} messages on one stream (Grpc:MaxStreamMessages)");
        }

        return message;
    }

    /// <summary>Writes one response message and flushes it (honouring HTTP/2 flow control).</summary>
    public async ValueTask WriteAsync(IMessage message)
    {
        var size = message.CalculateSize();
        if (size > _options.MaxSendMessageBytes)
        {
            throw new GrpcException(GrpcStatusCode.ResourceExhausted,
                $"response message of {size} bytes is larger than the limit of {_options.MaxSendMessageBytes} bytes (Grpc:MaxSendMessageBytes)");
        }

        GrpcMessageWriter.Write(Http.Response.BodyWriter, message);
        await Http.Response.BodyWriter.FlushAsync(Token).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _linked.Dispose();
        _deadline?.Dispose();
    }
}
