using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Atelier.Grpc;
using Atelier.Grpc.V1;
using Google.Protobuf;

namespace Atelier.Grpc.Tests.Wire;

/// <summary>The message framing over a real <see cref="Pipe"/>, fed the way HTTP/2 DATA frames arrive.</summary>
public sealed class FramingTests
{
    [Fact]
    public async Task Message_split_into_single_bytes_is_reassembled()
    {
        var message = new SegmentRequest { SessionId = "s1", Dilate = 3 };
        message.Points.Add(new Point { X = 12.5f, Y = 7, Background = true });
        var pipe = new Pipe();
        var bytes = Frame(message);

        var reading = new GrpcMessageReader(pipe.Reader, 1024).ReadAsync(SegmentRequest.Parser, CancellationToken.None).AsTask();
        foreach (var b in bytes)
        {
            await pipe.Writer.WriteAsync(new[] { b });
        }

        await pipe.Writer.CompleteAsync();
        Assert.Equal(message, await reading);
    }

    [Fact]
    public async Task Two_messages_in_one_chunk_and_one_across_chunks_are_read_in_order()
    {
        var first = new SessionRef { SessionId = "a" };
        var second = new SessionRef { SessionId = "b" };
        var third = new SessionRef { SessionId = new string('c', 300) };
        var thirdBytes = Frame(third);
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Frame(first).Concat(Frame(second)).Concat(thirdBytes[..3]).ToArray());
        await pipe.Writer.WriteAsync(thirdBytes[3..100]);
        await pipe.Writer.WriteAsync(thirdBytes[100..]);
        await pipe.Writer.CompleteAsync();
        var reader = new GrpcMessageReader(pipe.Reader, 1024);

        Assert.Equal("a", (await reader.ReadAsync(SessionRef.Parser, CancellationToken.None))?.SessionId);
        Assert.Equal("b", (await reader.ReadAsync(SessionRef.Parser, CancellationToken.None))?.SessionId);
        Assert.Equal(third.SessionId, (await reader.ReadAsync(SessionRef.Parser, CancellationToken.None))?.SessionId);
        Assert.Null(await reader.ReadAsync(SessionRef.Parser, CancellationToken.None));
        Assert.Equal(3, reader.MessagesRead);
    }

    [Fact]
    public async Task Zero_length_messages_are_default_messages()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 });
        await pipe.Writer.CompleteAsync();
        var reader = new GrpcMessageReader(pipe.Reader, 16);

        var one = await reader.ReadAsync(ListModelsRequest.Parser, CancellationToken.None);
        var two = await reader.ReadAsync(SessionRef.Parser, CancellationToken.None);

        Assert.NotNull(one);
        Assert.Equal("", two!.SessionId);
        Assert.Null(await reader.ReadAsync(SessionRef.Parser, CancellationToken.None));
    }

    [Fact]
    public async Task Oversize_length_is_refused_with_resource_exhausted_before_the_payload_arrives()
    {
        var pipe = new Pipe();
        var header = new byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), 1025);
        await pipe.Writer.WriteAsync(header);

        // The payload never comes and the writer stays open: the limit is decided from the prefix alone.
        var error = await Assert.ThrowsAsync<GrpcException>(() => new GrpcMessageReader(pipe.Reader, 1024).ReadAsync(SessionRef.Parser, CancellationToken.None).AsTask());

        Assert.Equal(GrpcStatusCode.ResourceExhausted, error.Status);
    }

    [Fact]
    public async Task Gzip_message_is_inflated_when_the_stream_is_gzip()
    {
        var message = new SessionRef { SessionId = new string('z', 2000) };
        var compressed = GrpcCompression.Compress(message.ToByteArray());
        var output = new ArrayBufferWriter<byte>();
        GrpcMessageWriter.WriteFrame(output, compressed, compressed: true);
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(output.WrittenMemory);
        await pipe.Writer.CompleteAsync();

        var read = await new GrpcMessageReader(pipe.Reader, 4096, "gzip").ReadAsync(SessionRef.Parser, CancellationToken.None);

        Assert.True(compressed.Length < 100, $"2000 equal characters compress ({compressed.Length} bytes)");
        Assert.Equal(message, read);
    }

    [Fact]
    public async Task Writer_gzip_round_trips_through_the_reader()
    {
        var message = new OpenRequest { ContentType = "image/png", Chunk = ByteString.CopyFrom(new byte[5000]) };
        var output = new ArrayBufferWriter<byte>();
        var sent = GrpcMessageWriter.Write(output, message, gzip: true);
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(output.WrittenMemory);
        await pipe.Writer.CompleteAsync();

        Assert.Equal(1, output.WrittenSpan[0]);
        Assert.True(sent < 200);
        Assert.Equal(message, await new GrpcMessageReader(pipe.Reader, 8192, "gzip").ReadAsync(OpenRequest.Parser, CancellationToken.None));
    }

    [Fact]
    public async Task Gzip_message_inflating_past_the_limit_is_resource_exhausted()
    {
        var bomb = GrpcCompression.Compress(new byte[1 << 20]);
        var output = new ArrayBufferWriter<byte>();
        GrpcMessageWriter.WriteFrame(output, bomb, compressed: true);
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(output.WrittenMemory);
        await pipe.Writer.CompleteAsync();

        var error = await Assert.ThrowsAsync<GrpcException>(() => new GrpcMessageReader(pipe.Reader, 64 << 10, "gzip").ReadAsync(SessionRef.Parser, CancellationToken.None).AsTask());

        Assert.True(bomb.Length < 64 << 10, "the compressed form is under the limit");
        Assert.Equal(GrpcStatusCode.ResourceExhausted, error.Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("identity")]
    public async Task Compressed_flag_without_gzip_encoding_is_internal(string? encoding)
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(new byte[] { 1, 0, 0, 0, 0 });
        await pipe.Writer.CompleteAsync();

        var error = await Assert.ThrowsAsync<GrpcException>(() => new GrpcMessageReader(pipe.Reader, 16, encoding).ReadAsync(SessionRef.Parser, CancellationToken.None).AsTask());

        Assert.Equal(GrpcStatusCode.Internal, error.Status);
    }

    [Fact]
    public async Task Stream_ending_inside_a_message_is_internal()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Frame(new SessionRef { SessionId = "abcdef" })[..8]);
        await pipe.Writer.CompleteAsync();

        var error = await Assert.ThrowsAsync<GrpcException>(() => new GrpcMessageReader(pipe.Reader, 1024).ReadAsync(SessionRef.Parser, CancellationToken.None).AsTask());

        Assert.Equal(GrpcStatusCode.Internal, error.Status);
    }

    [Fact]
    public async Task Malformed_protobuf_payload_is_internal()
    {
        var pipe = new Pipe();
        var output = new ArrayBufferWriter<byte>();
        GrpcMessageWriter.WriteFrame(output, new byte[] { 0x0A, 0x7F, 0x01 }, compressed: false);
        await pipe.Writer.WriteAsync(output.WrittenMemory);
        await pipe.Writer.CompleteAsync();

        var error = await Assert.ThrowsAsync<GrpcException>(() => new GrpcMessageReader(pipe.Reader, 1024).ReadAsync(SessionRef.Parser, CancellationToken.None).AsTask());

        Assert.Equal(GrpcStatusCode.Internal, error.Status);
    }

    private static byte[] Frame(IMessage message)
    {
        var output = new ArrayBufferWriter<byte>();
        GrpcMessageWriter.Write(output, message);
        return output.WrittenSpan.ToArray();
    }
}
