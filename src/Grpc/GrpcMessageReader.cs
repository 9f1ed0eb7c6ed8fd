using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;

namespace Atelier.Grpc;

/// <summary>
/// Reads length-prefixed gRPC messages (1-byte compressed flag, 4-byte big-endian length, payload) from a
/// <see cref="PipeReader"/>, however the bytes were split into HTTP/2 DATA frames. A declared length over the limit
/// is refused before its payload is buffered (<see cref="GrpcStatusCode.ResourceExhausted"/>).
/// </summary>
/// <param name="input">The request body (server) or response body (client).</param>
/// <param name="maxMessageBytes">Largest message accepted, after decompression.</param>
/// <param name="encoding">The stream's <c>grpc-encoding</c> (null or identity: compressed messages are a protocol error).</param>
public sealed class GrpcMessageReader(PipeReader input, int maxMessageBytes, string? encoding = null)
{
    private readonly bool _gzip = string.Equals(encoding, GrpcProtocol.Gzip, StringComparison.OrdinalIgnoreCase);

    /// <summary>Messages read so far.</summary>
    public long MessagesRead { get; private set; }

    /// <summary>The next message, or null when the stream ended cleanly between messages.</summary>
    public async ValueTask<T?> ReadAsync<T>(MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(parser);
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (TryReadFrame(buffer, out var compressed, out var payload, out var consumed))
            {
                T message;
                try
                {
                    message = Parse(parser, compressed, payload);
                }
                finally
                {
                    input.AdvanceTo(consumed);
                }

                MessagesRead++;
                return message;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                input.AdvanceTo(buffer.End);
                if (buffer.IsEmpty && result.IsCompleted)
                {
                    return null;
                }

                throw new GrpcException(GrpcStatusCode.Internal,
                    result.IsCanceled ? "the stream was cancelled" : $"the stream ended inside a message ({buffer.Length} bytes of it)");
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Reads to the end of the stream, requiring exactly one message (unary requests and responses).</summary>
    public async ValueTask<T> ReadSingleAsync<T>(MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        var message = await ReadAsync(parser, cancellationToken).ConfigureAwait(false)
            ?? throw new GrpcException(GrpcStatusCode.Internal, "expected one message, the stream held none");
        if (await ReadAsync(parser, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw new GrpcException(GrpcStatusCode.Internal, "expected one message, the stream held more");
        }

        return message;
    }

    private bool TryReadFrame(ReadOnlySequence<byte> buffer, out bool compressed, out ReadOnlySequence<byte> payload, out SequencePosition consumed)
    {
        compressed = false;
        payload = default;
        consumed = buffer.Start;
        if (buffer.Length < GrpcProtocol.FrameHeaderBytes)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[GrpcProtocol.FrameHeaderBytes];
        buffer.Slice(0, GrpcProtocol.FrameHeaderBytes).CopyTo(header);
        compressed = header[0] switch
        {
            0 => false,
            1 => true,
            _ => throw new GrpcException(GrpcStatusCode.Internal, $"invalid compressed flag {header[0]} in a message prefix"),
        };
        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)maxMessageBytes)
        {
            throw new GrpcException(GrpcStatusCode.ResourceExhausted,
                $"message of {length} bytes is larger than the limit of {maxMessageBytes} bytes");
        }

        if (compressed && !_gzip)
        {
            throw new GrpcException(GrpcStatusCode.Internal, "a compressed message arrived without a grpc-encoding");
        }

        if (buffer.Length < GrpcProtocol.FrameHeaderBytes + length)
        {
            return false;
        }

        payload = buffer.Slice(GrpcProtocol.FrameHeaderBytes, length);
        consumed = payload.End;
        return true;
    }

    private T Parse<T>(MessageParser<T> parser, bool compressed, ReadOnlySequence<byte> payload)
        where T : class, IMessage<T>
    {
        try
        {
            return compressed
                ? parser.ParseFrom(GrpcCompression.Decompress(payload, maxMessageBytes))
                : parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new GrpcException(GrpcStatusCode.Internal, $"the message is not a valid {typeof(T).Name}: {e.Message}", e);
        }
    }
}
