using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;

namespace Atelier.Grpc;

/// <summary>Writes length-prefixed gRPC messages into an <see cref="IBufferWriter{T}"/> (a response or request <c>PipeWriter</c>).</summary>
public static class GrpcMessageWriter
{
    /// <summary>Writes <paramref name="message"/>; with <paramref name="gzip"/> the payload is compressed and flagged.</summary>
    /// <returns>The payload size in bytes as sent.</returns>
    public static int Write(IBufferWriter<byte> output, IMessage message, bool gzip = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(message);
        if (gzip)
        {
            var compressed = GrpcCompression.Compress(message.ToByteArray());
            WriteFrame(output, compressed, compressed: true);
            return compressed.Length;
        }

        var size = message.CalculateSize();
        WriteHeader(output, compressed: false, size);
        message.WriteTo(output);
        return size;
    }

    /// <summary>Writes one frame holding <paramref name="payload"/> as it is (already compressed when <paramref name="compressed"/>).</summary>
    public static void WriteFrame(IBufferWriter<byte> output, ReadOnlySpan<byte> payload, bool compressed)
    {
        ArgumentNullException.ThrowIfNull(output);
        WriteHeader(output, compressed, payload.Length);
        var span = output.GetSpan(payload.Length);
        payload.CopyTo(span);
        output.Advance(payload.Length);
    }

    private static void WriteHeader(IBufferWriter<byte> output, bool compressed, int length)
    {
        var header = output.GetSpan(GrpcProtocol.FrameHeaderBytes);
        header[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)length);
        output.Advance(GrpcProtocol.FrameHeaderBytes);
    }
}
