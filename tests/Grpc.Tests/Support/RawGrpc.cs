using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace Atelier.Grpc.Tests.Support;

/// <summary>
/// Hand-made gRPC calls over HttpClient HTTP/2, independent of the gRPC libraries under test: the test controls every
/// byte of the request body (the 5-byte length prefix, the compressed flag) and how it is cut into DATA frames, and
/// sees the raw HTTP status, headers, trailers and messages of the answer.
/// </summary>
public static class RawGrpc
{
    public sealed record Answer(HttpStatusCode HttpStatus, int? Status, string? Message, string? Code, IReadOnlyList<byte[]> Payloads, HttpResponseMessage Response);

    /// <summary>One length-prefixed message; gzip-compressed (flag 1) when <paramref name="gzip"/>.</summary>
    public static byte[] Frame(IMessage message, bool gzip = false)
    {
        var payload = message.ToByteArray();
        if (gzip)
        {
            using var compressed = new MemoryStream();
            using (var zip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                zip.Write(payload);
            }

            payload = compressed.ToArray();
        }

        var frame = new byte[5 + payload.Length];
        frame[0] = gzip ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    /// <summary>Sends <paramref name="body"/> in pieces of <paramref name="piece"/> bytes, each flushed as its own DATA frame.</summary>
    public static async Task<Answer> CallAsync(HttpClient http, string path, byte[] body, int piece = int.MaxValue,
        IEnumerable<(string Name, string Value)>? headers = null, string contentType = "application/grpc")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new PiecesContent(body, piece, contentType),
        };
        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return await ReadAsync(response);
    }

    public static async Task<Answer> ReadAsync(HttpResponseMessage response)
    {
        var payloads = new List<byte[]>();
        var body = await response.Content.ReadAsByteArrayAsync();
        var gzip = Header(response, "grpc-encoding") == "gzip";
        var offset = 0;
        while (response.StatusCode == HttpStatusCode.OK && offset + 5 <= body.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(offset + 1));
            var payload = body.AsSpan(offset + 5, length).ToArray();
            payloads.Add(body[offset] == 1 && gzip ? Gunzip(payload) : payload);
            offset += 5 + length;
        }

        return new Answer(response.StatusCode, Trailer(response, "grpc-status") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : null,
            Trailer(response, "grpc-message") is { } m ? Uri.UnescapeDataString(m) : null, Trailer(response, "atelier-code"), payloads, response);
    }

    /// <summary>The next message of a response stream, or null at its end.</summary>
    public static async Task<byte[]?> ReadMessageAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[5];
        if (await stream.ReadAtLeastAsync(header, 5, throwOnEndOfStream: false, cancellationToken) < 5)
        {
            return null;
        }

        var payload = new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1))];
        await stream.ReadExactlyAsync(payload, cancellationToken);
        return payload;
    }

    /// <summary>A trailer, or the same name in the headers of a trailers-only answer.</summary>
    public static string? Trailer(HttpResponseMessage response, string name) =>
        response.TrailingHeaders.TryGetValues(name, out var values) || response.Headers.TryGetValues(name, out values) ? values.FirstOrDefault() : null;

    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static byte[] Gunzip(byte[] payload)
    {
        using var input = new GZipStream(new MemoryStream(payload), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private sealed class PiecesContent : HttpContent
    {
        private readonly byte[] _body;
        private readonly int _piece;

        public PiecesContent(byte[] body, int piece, string contentType)
        {
            _body = body;
            _piece = piece;
            Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var offset = 0; offset < _body.Length; offset += _piece)
            {
                await stream.WriteAsync(_body.AsMemory(offset, Math.Min(_piece, _body.Length - offset)));
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
