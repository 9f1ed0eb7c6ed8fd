using Grpc.Core;
using Atelier.Grpc.Tests.Support;
using Atelier.Grpc.V1;
using Atelier.Silo.Tests.Http;
using Google.Protobuf;

namespace Atelier.Grpc.Tests;

/// <summary>Unary <c>Replace</c> over gRPC when the configured <c>sd-inpaint</c> model is not registered.</summary>
public sealed class ReplaceGrpcTests
{
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
            var id = SessionInfo.Parser.ParseFrom(Assert.Single(open.Payloads)).Id;
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
}
