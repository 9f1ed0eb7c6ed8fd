using Grpc.Core;
using System.Net;
using Atelier.Grpc.Tests.Support;
using Atelier.Grpc.V1;
using Atelier.Silo.Tests.Http;
using Google.Protobuf;
using HealthV1 = Grpc.Health.V1;

namespace Atelier.Grpc.Tests;

/// <summary>The server's side of the wire, byte by byte, against the real silo on a real Kestrel HTTP/2 socket.</summary>
public sealed class ServerWireTests(GrpcSilo silo) : IClassFixture<GrpcSilo>
{
    private const string Sessions = "atelier.v1.Sessions/";

    [Fact]
    public async Task Upload_cut_into_seven_byte_data_frames_opens_the_session()
    {
        using var http = silo.CreateGrpcHttpClient();
        var png = TestImages.Png(120, 80);
        var body = RawGrpc.Frame(new OpenRequest { ContentType = "image/png", Chunk = ByteString.CopyFrom(png, 0, png.Length / 2) })
            .Concat(RawGrpc.Frame(new OpenRequest { Chunk = ByteString.CopyFrom(png, png.Length / 2, png.Length - (png.Length / 2)) }))
            .ToArray();

        var answer = await RawGrpc.CallAsync(http, Sessions + "Open", body, piece: 7);

        Assert.Equal(0, answer.Status);
        var info = SessionInfo.Parser.ParseFrom(Assert.Single(answer.Payloads));
        Assert.Equal((120, 80), (info.Width, info.Height));
        Assert.Equal("application/grpc", answer.Response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Zero_length_request_message_is_a_default_message()
    {
        using var http = silo.CreateGrpcHttpClient();

        var models = await RawGrpc.CallAsync(http, "atelier.v1.Models/List", new byte[5]);
        var check = await RawGrpc.CallAsync(http, "grpc.health.v1.Health/Check", new byte[5]);
        var noId = await RawGrpc.CallAsync(http, Sessions + "GetInfo", new byte[5]);

        Assert.Equal(0, models.Status);
        Assert.Contains(ListModelsReply.Parser.ParseFrom(Assert.Single(models.Payloads)).Models, m => m.Id == "sam-demo");
        Assert.Equal(HealthV1.HealthCheckResponse.Types.ServingStatus.Serving, HealthV1.HealthCheckResponse.Parser.ParseFrom(Assert.Single(check.Payloads)).Status);
        Assert.Equal((int)StatusCode.NotFound, noId.Status);
        Assert.Equal("session_not_found", noId.Code);
    }

    [Fact]
    public async Task Oversize_message_is_resource_exhausted_and_the_server_stays_healthy()
    {
        using var http = silo.CreateGrpcHttpClient();
        var header = new byte[5];
        // The default limit: Api:MaxUploadBytes (32 MiB) + 64 KiB, so one message can carry the largest upload.
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), (32u << 20) + (64u << 10) + 1);

        // Only the prefix is sent: the server must refuse from the declared length, not wait for 32 MiB.
        var answer = await RawGrpc.CallAsync(http, Sessions + "Segment", header);

        Assert.Equal(HttpStatusCode.OK, answer.HttpStatus);
        Assert.Equal((int)StatusCode.ResourceExhausted, answer.Status);
        Assert.Contains("maximum configured message size", answer.Message, StringComparison.Ordinal);
        Assert.Empty(answer.Payloads);
        Assert.Equal(0, (await RawGrpc.CallAsync(http, "grpc.health.v1.Health/Check", new byte[5])).Status);
    }

    [Fact]
    public async Task Gzip_request_is_answered_with_gzip_and_unknown_encoding_is_unimplemented()
    {
        using var http = silo.CreateGrpcHttpClient();
        var id = await OpenAsync(http);
        var segment = new SegmentRequest { SessionId = id, Points = { new Point { X = 60, Y = 40 } } };
        (string, string) acceptGzip = ("grpc-accept-encoding", "identity,gzip");

        var gzip = await RawGrpc.CallAsync(http, Sessions + "Segment", RawGrpc.Frame(segment, gzip: true), headers: [("grpc-encoding", "gzip"), acceptGzip]);
        var plain = await RawGrpc.CallAsync(http, Sessions + "Segment", RawGrpc.Frame(segment), headers: [acceptGzip]);
        // A compressed message in an encoding the server does not have.
        var snappy = await RawGrpc.CallAsync(http, Sessions + "Segment", RawGrpc.Frame(segment, gzip: true), headers: [("grpc-encoding", "snappy")]);

        Assert.Equal(0, gzip.Status);
        Assert.Equal("gzip", RawGrpc.Header(gzip.Response, "grpc-encoding")); // gzip in, gzip out
        Assert.False(SegmentReply.Parser.ParseFrom(Assert.Single(gzip.Payloads)).MaskPng.IsEmpty);
        Assert.Equal(0, plain.Status);
        Assert.Null(RawGrpc.Header(plain.Response, "grpc-encoding")); // a plain request: the PNG is not compressed again
        Assert.Equal((int)StatusCode.Unimplemented, snappy.Status);
        Assert.Contains("gzip", RawGrpc.Trailer(snappy.Response, "grpc-accept-encoding"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expired_deadline_is_deadline_exceeded_and_a_malformed_one_is_internal()
    {
        using var http = silo.CreateGrpcHttpClient();
        var id = await OpenAsync(http);
        var body = RawGrpc.Frame(new SelectSubjectRequest { SessionId = id });

        var expired = await RawGrpc.CallAsync(http, Sessions + "SelectSubject", body, headers: [("grpc-timeout", "1n")]);
        var malformed = await RawGrpc.CallAsync(http, Sessions + "SelectSubject", body, headers: [("grpc-timeout", "soon")]);
        var generous = await RawGrpc.CallAsync(http, Sessions + "GetInfo", RawGrpc.Frame(new SessionRef { SessionId = id }), headers: [("grpc-timeout", "10M")]);

        Assert.Equal((int)StatusCode.DeadlineExceeded, expired.Status);
        Assert.Equal((int)StatusCode.Internal, malformed.Status);
        Assert.Equal(0, generous.Status);
    }

    [Fact]
    public async Task Not_grpc_content_type_is_http_415_and_unknown_method_is_404_read_as_unimplemented()
    {
        using var http = silo.CreateGrpcHttpClient();

        var json = await RawGrpc.CallAsync(http, Sessions + "GetInfo", "{}"u8.ToArray(), contentType: "application/json");
        var unknown = await RawGrpc.CallAsync(http, Sessions + "Teleport", new byte[5]);
        var unknownService = await RawGrpc.CallAsync(http, "atelier.v1.Nothing/Call", new byte[5]);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.HttpStatus);
        // No gRPC route: HTTP 404, which gRPC clients read as UNIMPLEMENTED (the protocol's HTTP status mapping).
        Assert.Equal(HttpStatusCode.NotFound, unknown.HttpStatus);
        Assert.Equal(HttpStatusCode.NotFound, unknownService.HttpStatus);
    }

    [Fact]
    public async Task Same_typed_errors_as_http_map_to_grpc_status_codes()
    {
        using var http = silo.CreateGrpcHttpClient();
        var id = await OpenAsync(http);

        var outside = await RawGrpc.CallAsync(http, Sessions + "Segment",
            RawGrpc.Frame(new SegmentRequest { SessionId = id, Points = { new Point { X = float.NaN, Y = 1 } } }));
        var selected = await RawGrpc.CallAsync(http, Sessions + "Segment", RawGrpc.Frame(new SegmentRequest { SessionId = id, Points = { new Point { X = 60, Y = 40 } } }));
        var undo = await RawGrpc.CallAsync(http, Sessions + "Undo", RawGrpc.Frame(new SessionRef { SessionId = id }));
        var replace = await RawGrpc.CallAsync(http, Sessions + "Replace", RawGrpc.Frame(new ReplaceRequest { SessionId = id, Prompt = "a vase" }));
        var notImage = await RawGrpc.CallAsync(http, Sessions + "Open", RawGrpc.Frame(new OpenRequest { Chunk = ByteString.CopyFromUtf8("not an image") }));
        var model = await RawGrpc.CallAsync(http, "atelier.v1.Models/Load", RawGrpc.Frame(new LoadModelRequest { Model = "no-such-model" }));

        Assert.Equal(0, selected.Status);
        Assert.Equal(((int)StatusCode.InvalidArgument, "invalid_prompt"), (outside.Status!.Value, outside.Code));
        Assert.Contains("points[0][0]", outside.Message, StringComparison.Ordinal);
        Assert.Equal(((int)StatusCode.FailedPrecondition, "nothing_to_undo"), (undo.Status!.Value, undo.Code));
        Assert.Equal(0, replace.Status); // sd-inpaint-demo serves replace; model_not_available: ReplaceGrpcTests
        Assert.Equal(((int)StatusCode.InvalidArgument, "unsupported_media_type"), (notImage.Status!.Value, notImage.Code));
        Assert.Equal(((int)StatusCode.NotFound, "model_not_found"), (model.Status!.Value, model.Code));
    }

    [Fact]
    public async Task Upload_over_the_api_limit_is_resource_exhausted()
    {
        var small = new GrpcSilo(("Api:MaxUploadBytes", "4096"));
        await small.InitializeAsync();
        RawGrpc.Answer answer;
        try
        {
            using var http = small.CreateGrpcHttpClient();
            var chunk = ByteString.CopyFrom(new byte[3000]);
            answer = await RawGrpc.CallAsync(http, Sessions + "Open", RawGrpc.Frame(new OpenRequest { Chunk = chunk }).Concat(RawGrpc.Frame(new OpenRequest { Chunk = chunk })).ToArray());
        }
        finally
        {
            await small.DisposeAsync();
        }

        Assert.Equal(((int)StatusCode.ResourceExhausted, "image_too_large"), (answer.Status!.Value, answer.Code));
    }

    [Fact]
    public async Task Reset_interact_stream_ends_the_call_on_the_server()
    {
        using var http = silo.CreateGrpcHttpClient();
        var id = await OpenAsync(http);
        await silo.WaitForNoActiveCallsAsync();
        var completedBefore = silo.Tracker.Completed;
        using var client = new Client.Grpc.GrpcAtelierClient(http);
        var interact = client.InteractAsync(id);
        await interact.SendAsync(Client.SegmentPrompt.At(new Client.PromptPoint(60, 40)));
        await using (var updates = interact.ReadAllAsync().GetAsyncEnumerator())
        {
            Assert.True(await updates.MoveNextAsync(), "the first prompt is answered");
            Assert.Equal(1UL, updates.Current.Seq);
            Assert.Equal(1L, silo.Tracker.Active);
        }

        // The request side is still open: only the reset (RST_STREAM) can end the call on the server.
        await interact.DisposeAsync();
        await silo.WaitForNoActiveCallsAsync();

        Assert.Equal(completedBefore + 1, silo.Tracker.Completed);
        Assert.Equal(0, (await RawGrpc.CallAsync(http, Sessions + "GetInfo", RawGrpc.Frame(new SessionRef { SessionId = id }))).Status);
    }

    [Fact]
    public async Task Health_watch_streams_serving_until_the_client_cancels()
    {
        using var http = silo.CreateGrpcHttpClient();
        await silo.WaitForNoActiveCallsAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("grpc.health.v1.Health/Watch", UriKind.Relative))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(RawGrpc.Frame(new HealthV1.HealthCheckRequest { Service = "atelier.v1.Sessions" })),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        using var cancel = new CancellationTokenSource();
        using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token))
        {
            var stream = await response.Content.ReadAsStreamAsync(cancel.Token);
            var first = HealthV1.HealthCheckResponse.Parser.ParseFrom(await RawGrpc.ReadMessageAsync(stream, cancel.Token));
            Assert.Equal(HealthV1.HealthCheckResponse.Types.ServingStatus.Serving, first.Status);
            Assert.Equal(1L, silo.Tracker.Active);
            await cancel.CancelAsync();
        }

        await silo.WaitForNoActiveCallsAsync();
    }

    [Fact]
    public async Task Grpc_route_over_http1_is_refused_with_426()
    {
        using var http = new HttpClient { BaseAddress = silo.HttpUri };
        using var content = new ByteArrayContent(new byte[5]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");

        using var response = await http.PostAsync(new Uri("grpc.health.v1.Health/Check", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static async Task<string> OpenAsync(HttpClient http)
    {
        var answer = await RawGrpc.CallAsync(http, Sessions + "Open",
            RawGrpc.Frame(new OpenRequest { ContentType = "image/png", Chunk = ByteString.CopyFrom(TestImages.Png(120, 80)) }));
        Assert.Equal(0, answer.Status);
        return SessionInfo.Parser.ParseFrom(Assert.Single(answer.Payloads)).Id;
    }
}
