using System.Buffers;
using System.Net;
using System.Threading.Channels;
using Atelier.Grpc;
using Google.Protobuf;

namespace Atelier.Client.Grpc;

/// <summary>
/// A request body written message by message while the call runs (client streaming and bidirectional calls): each
/// message is framed, written and flushed as its own DATA frame(s). Completing it half-closes the request stream.
/// </summary>
internal sealed class StreamingContent : HttpContent
{
    private readonly Channel<byte[]> _frames = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(8) { SingleReader = true });

    public StreamingContent() => Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(GrpcProtocol.ContentType);

    public ValueTask WriteAsync(IMessage message, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(message.CalculateSize() + GrpcProtocol.FrameHeaderBytes);
        GrpcMessageWriter.Write(buffer, message);
        return _frames.Writer.WriteAsync(buffer.WrittenSpan.ToArray(), cancellationToken);
    }

    public void Complete() => _frames.Writer.TryComplete();

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await foreach (var frame in _frames.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        Complete();
        base.Dispose(disposing);
    }
}
