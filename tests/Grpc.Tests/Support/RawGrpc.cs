using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using Atelier.Grpc;
using Google.Protobuf;

namespace Atelier.Grpc.Tests.Support;

/// <summary>
/// Hand-made gRPC calls over HttpClient HTTP/2: the test controls every byte of the request body and how it is cut
/// into DATA frames, and sees the raw status, trailers and messages of the answer.
/// </summary>
public static class RawGrpc
{
    public sealed record Answer(HttpStatusCode HttpStatus, int? Status, string? Message, string? Code, IReadOnlyList<byte[]> Payloads, HttpResponseMessage Response);

    public static byte[] Frame(IMessage message, bool gzip = false)
    {
        var output = new ArrayBufferWriter<byte>();
        GrpcMessageWriter.Write(output, message, gzip);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Sends <paramref name="body"/> in pieces of <paramref name="piece"/> bytes, each flushed as its own DATA frame.</summary>
    public static async Task<Answer> CallAsync(HttpClient http, string path, byte[] body, int piece = int.MaxValue,
        IEnumerable<(string Name, string Value)>? headers = null, string contentType = GrpcProtocol.ContentType)
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
        var offset = 0;
        while (response.StatusCode == HttpStatusCode.OK && offset + 5 <= body.Length)
        {
            var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(offset + 1));
            payloads.Add(body.AsSpan(offset + 5, length).ToArray());
            offset += 5 + length;
        }

        return new Answer(response.StatusCode, Trailer(response, "grpc-status") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : null,
            Trailer(response, "grpc-message") is { } m ? GrpcStatusMessage.Decode(m) : null, Trailer(response, "atelier-code"), payloads, response);
    }

    public static string? Trailer(HttpResponseMessage response, string name) =>
        response.TrailingHeaders.TryGetValues(name, out var values) || response.Headers.TryGetValues(name, out values) ? values.FirstOrDefault() : null;

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
