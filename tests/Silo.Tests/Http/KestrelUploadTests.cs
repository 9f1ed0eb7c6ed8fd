using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Atelier.Silo.Tests.Http;

/// <summary>Upload limits on a real Kestrel socket: an endless chunked body is cut off while reading.</summary>
public sealed class KestrelUploadTests
{
    [Fact]
    public async Task Chunked_upload_over_the_limit_is_refused_while_reading_and_the_server_stays_healthy()
    {
        await using var host = new ApiHost(ApiHost.Unlimited(("Api:MaxUploadBytes", "65536")));
        var port = FreePort();
        host.UseKestrel(port);
        host.StartServer();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var endless = new EndlessStream();
        using var content = new StreamContent(endless);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");

        // The server answers 413 and closes the connection while the client is still sending; HttpClient then
        // reports either the answer or the broken pipe, depending on which it notices first.
        try
        {
            using var response = await http.PostAsync(new Uri("/v1/sessions", UriKind.Relative), content);
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "image_too_large");
        }
        catch (HttpRequestException e) when (e.InnerException is IOException)
        {
            // Refused mid-upload: what matters is that the server stopped reading early (checked below).
        }

        Assert.True(endless.Produced < 64L << 20, $"the server read {endless.Produced} bytes before refusing");
        using var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A body with no end and no length (sent chunked); counts what was pulled from it.</summary>
    private sealed class EndlessStream : Stream
    {
        public long Produced { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Produced; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (Produced > 256L << 20)
            {
                return 0;
            }

            Array.Fill(buffer, (byte)0x42, offset, count);
            Produced += count;
            return count;
        }

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
