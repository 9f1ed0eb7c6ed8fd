using Grpc.Core;
using Atelier.Client;
using Atelier.Client.Grpc;
using Atelier.Grpc.Tests.Support;
using Atelier.Grpc.V1;
using Atelier.Silo.Tests.Http;
using Google.Protobuf;

namespace Atelier.Grpc.Tests;

/// <summary>
/// <c>Replace</c> over gRPC: the <c>ReplaceStream</c> server stream reports every step then the result (the same pixels
/// as the unary call for the same seed), and without the configured <c>sd-inpaint</c> model a typed error.
/// </summary>
public sealed class ReplaceGrpcTests
{
    [Fact]
    public async Task ReplaceStream_reports_every_step_then_the_result_the_unary_call_gives_for_the_seed()
    {
        var silo = new GrpcSilo();
        await silo.InitializeAsync();
        try
        {
            using var client = new GrpcAtelierClient(silo.GrpcUri);
            using var upload = new MemoryStream(TestImages.Png(120, 80));
            var session = await client.OpenSessionAsync(upload, "image/png");
            await client.SegmentAsync(session.Id, SegmentPrompt.At(new Atelier.Client.PromptPoint(60, 40)));
            var options = new ReplaceOptions("a red object") { Steps = 6, Seed = 7, Apply = false };
            var steps = new List<Atelier.Client.ReplaceProgress>();

            var streamed = await client.ReplaceAsync(session.Id, options, new SynchronousProgress(steps.Add));
            var unary = await client.ReplaceAsync(session.Id, options);

            Assert.Equal(Enumerable.Range(1, 6).Select(i => new Atelier.Client.ReplaceProgress(i, 6)), steps);
            Assert.Equal(unary, streamed.ImagePng);
            Assert.Equal(0, streamed.Session.Version); // apply: false leaves the session's version as it was
            await client.CloseSessionAsync(session.Id);
        }
        finally
        {
            await silo.DisposeAsync();
        }
    }

    private const string Sessions = "atelier.v1.Sessions/";

    [Fact]
    public async Task Replace_without_its_model_is_unimplemented_model_not_available()
    {
        var silo = new GrpcSilo(("Sessions:ReplaceModel", "no-such-sd-model"));
        await silo.InitializeAsync();
        RawGrpc.Answer replace;
        try
        {
            using var http = silo.CreateGrpcHttpClient();
            var open = await RawGrpc.CallAsync(http, Sessions + "Open",
                RawGrpc.Frame(new OpenRequest { ContentType = "image/png", Chunk = ByteString.CopyFrom(TestImages.Png(120, 80)) }));
            var id = Atelier.Grpc.V1.SessionInfo.Parser.ParseFrom(Assert.Single(open.Payloads)).Id;
            var selected = await RawGrpc.CallAsync(http, Sessions + "Segment", RawGrpc.Frame(new SegmentRequest { SessionId = id, Points = { new Point { X = 60, Y = 40 } } }));
            Assert.Equal(0, selected.Status);

            replace = await RawGrpc.CallAsync(http, Sessions + "Replace", RawGrpc.Frame(new ReplaceRequest { SessionId = id, Prompt = "a vase" }));
        }
        finally
        {
            await silo.DisposeAsync();
        }

        Assert.Equal(((int)StatusCode.Unimplemented, "model_not_available"), (replace.Status!.Value, replace.Code));
    }

    private sealed class SynchronousProgress(Action<Atelier.Client.ReplaceProgress> report) : IProgress<Atelier.Client.ReplaceProgress>
    {
        public void Report(Atelier.Client.ReplaceProgress value) => report(value);
    }
}
