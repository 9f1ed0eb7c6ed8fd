using System.Buffers;
using System.IO.Compression;

namespace Atelier.Grpc;

/// <summary>gzip for messages whose compressed flag is set (<c>grpc-encoding: gzip</c>).</summary>
public static class GrpcCompression
{
    /// <summary>Whether <paramref name="encoding"/> (a <c>grpc-encoding</c> value) is one this implementation reads.</summary>
    public static bool IsSupported(string? encoding) =>
        string.IsNullOrEmpty(encoding)
        || string.Equals(encoding, GrpcProtocol.Identity, StringComparison.OrdinalIgnoreCase)
        || string.Equals(encoding, GrpcProtocol.Gzip, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="acceptEncoding"/> (a <c>grpc-accept-encoding</c> list) names gzip.</summary>
    public static bool AcceptsGzip(string? acceptEncoding)
    {
        if (string.IsNullOrEmpty(acceptEncoding))
        {
            return false;
        }

        foreach (var range in acceptEncoding.AsSpan().Split(','))
        {
            if (acceptEncoding.AsSpan()[range].Trim().Equals(GrpcProtocol.Gzip, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public static byte[] Compress(ReadOnlySpan<byte> payload)
    {
        using var output = new MemoryStream(Math.Max(64, payload.Length / 2));
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(payload);
        }

        return output.ToArray();
    }

    /// <summary>
    /// Inflates <paramref name="compressed"/>; a result larger than <paramref name="maxBytes"/> is refused with
    /// <see cref="GrpcStatusCode.ResourceExhausted"/> as soon as it crosses the limit, corrupt data with <see cref="GrpcStatusCode.Internal"/>.
    /// </summary>
    public static byte[] Decompress(ReadOnlySequence<byte> compressed, int maxBytes)
    {
        using var input = new SequenceStream(compressed);
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(maxBytes + 1, 81920));
        try
        {
            using var output = new MemoryStream();
            int read;
            try
            {
                while ((read = gzip.Read(buffer, 0, buffer.Length)) > 0)
                {
                    if (output.Length + read > maxBytes)
                    {
                        throw new GrpcException(GrpcStatusCode.ResourceExhausted,
                            $"decompressed message larger than the limit of {maxBytes} bytes");
                    }

                    output.Write(buffer, 0, read);
                }
            }
            catch (InvalidDataException e)
            {
                throw new GrpcException(GrpcStatusCode.Internal, "compressed message is not valid gzip", e);
            }

            return output.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A read-only stream over a <see cref="ReadOnlySequence{T}"/> (no copy of the compressed bytes).</summary>
    private sealed class SequenceStream(ReadOnlySequence<byte> sequence) : Stream
    {
        private ReadOnlySequence<byte> _remaining = sequence;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        private readonly long _length = sequence.Length;

        public override long Length => _length;

        public override long Position
        {
            get => _length - _remaining.Length;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var take = (int)Math.Min(buffer.Length, _remaining.Length);
            _remaining.Slice(0, take).CopyTo(buffer);
            _remaining = _remaining.Slice(take);
            return take;
        }

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
