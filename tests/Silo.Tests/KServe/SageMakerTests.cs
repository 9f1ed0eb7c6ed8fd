using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Atelier.Models.Forge;
using Atelier.Silo.Tests.Http;

namespace Atelier.Silo.Tests.KServe;

/// <summary>The SageMaker container contract through the real HTTP pipeline: ping, stateful sessions, multi-model API, limits.</summary>
[Collection(ProtocolCollection.Name)]
public sealed partial class SageMakerTests(ProtocolFixture fixture)
{
    private const string SessionHeader = "X-Amzn-SageMaker-Session-Id";

    private static readonly long[] Shape = [1, 4];

    private HttpClient Client => fixture.Client;

    private static V2Tensor[] TypesInputs() =>
    [
        V2Tensor.Of("fp32", Shape, 1f, 2f, 3f, 4f),
        V2Tensor.OfHalf("fp16", Shape, 1f, 2f, 3f, 4f),
        V2Tensor.Of("int64", Shape, 1L, 2L, 3L, 4L),
        V2Tensor.Of("int32", Shape, 1, 2, 3, 4),
        V2Tensor.Of("uint8", Shape, (byte)1, (byte)2, (byte)3, (byte)4),
        V2Tensor.Of("bool", Shape, true, false, true, false),
    ];

    [Fact]
    public async Task Ping_answers_200_when_the_silo_can_serve()
    {
        using var response = await Client.GetAsync(new Uri("/ping", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task New_session_then_prompts_then_close()
    {
        using var image = new ByteArrayContent(TestImages.Png());
        image.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        using var open = new HttpRequestMessage(HttpMethod.Post, "/invocations") { Content = image };
        open.Headers.Add(SessionHeader, "NEW_SESSION");
        using var opened = await Client.SendAsync(open);
        Assert.True(opened.StatusCode == HttpStatusCode.OK, await opened.Content.ReadAsStringAsync());
        var match = NewSessionHeader().Match(opened.Headers.GetValues(SessionHeader).Single());
        Assert.True(match.Success, opened.Headers.GetValues(SessionHeader).Single());
        var id = match.Groups["id"].Value;
        var expires = DateTimeOffset.Parse(match.Groups["expires"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(expires > DateTimeOffset.UtcNow);
        Assert.Equal(id, JsonNode.Parse(await opened.Content.ReadAsStringAsync())!["id"]!.GetValue<string>());

        using var segmented = await SessionCallAsync(id, """{"requestType": "SEGMENT", "points": [[48, 32]]}""", json: true);
        var masks = JsonNode.Parse(await segmented.Content.ReadAsStringAsync())!["masks"]!.AsArray();
        Assert.True(segmented.StatusCode == HttpStatusCode.OK, masks.ToJsonString());
        Assert.NotEmpty(masks);
        using var png = await SessionCallAsync(id, """{"requestType": "segment", "points": [[10, 10]], "labels": [1]}""", json: false);
        Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);

        using var closed = await SessionCallAsync(id, """{"requestType": "CLOSE"}""", json: true);
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        Assert.Equal(id, closed.Headers.GetValues("X-Amzn-SageMaker-Closed-Session-Id").Single());

        using var after = await SessionCallAsync(id, """{"requestType": "INFO"}""", json: true);
        await V2Client.ErrorAsync(after, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Unknown_request_type_answers_400()
    {
        using var response = await SessionCallAsync("no-such-session-but-well-formed", """{"requestType": "DANCE"}""", json: true);

        Assert.Contains("requestType", await V2Client.ErrorAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stateless_invocation_runs_a_kserve_v2_request_on_the_default_model()
    {
        using var response = await Client.PostAsync(new Uri("/invocations", UriKind.Relative), V2Client.Binary(TypesInputs()));

        var (header, outputs) = await V2Client.ReadAsync(response);

        Assert.Equal(TypesDemoForge.Id, header["model_name"]!.GetValue<string>());
        Assert.Equal(new byte[] { 0, 1, 0, 1 }, outputs["bool_out"].Raw);
    }

    [Fact]
    public async Task Body_over_six_mebibytes_is_refused_with_413()
    {
        using var content = new ByteArrayContent(new byte[(6 << 20) + 1]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await Client.PostAsync(new Uri("/invocations", UriKind.Relative), content);

        await V2Client.ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Multi_model_load_list_invoke_unload()
    {
        var folder = Path.Combine(fixture.SageMakerRoot, "model-a");
        await TypesDemoForge.WriteAsync(folder, CancellationToken.None, id: "types-mme");

        using var load = await PostJsonAsync("/models", new JsonObject { ["model_name"] = "model-a", ["url"] = folder });
        using var again = await PostJsonAsync("/models", new JsonObject { ["model_name"] = "model-a", ["url"] = folder });
        var list = JsonNode.Parse(await Client.GetStringAsync(new Uri("/models", UriKind.Relative)))!;
        using var get = await Client.GetAsync(new Uri("/models/model-a", UriKind.Relative));
        using var invoked = await Client.PostAsync(new Uri("/models/model-a/invoke", UriKind.Relative), V2Client.Json(TypesInputs()));
        using var targeted = new HttpRequestMessage(HttpMethod.Post, "/invocations") { Content = V2Client.Binary(TypesInputs()) };
        targeted.Headers.Add("X-Amzn-SageMaker-Target-Model", "model-a");
        using var targetedResponse = await Client.SendAsync(targeted);
        using var unload = await Client.DeleteAsync(new Uri("/models/model-a", UriKind.Relative));
        using var gone = await Client.GetAsync(new Uri("/models/model-a", UriKind.Relative));
        using var invokeGone = await Client.PostAsync(new Uri("/models/model-a/invoke", UriKind.Relative), V2Client.Json(TypesInputs()));

        Assert.True(load.StatusCode == HttpStatusCode.OK, await load.Content.ReadAsStringAsync());
        await V2Client.ErrorAsync(again, HttpStatusCode.Conflict);
        Assert.Contains(list["models"]!.AsArray(), m => m!["modelName"]!.GetValue<string>() == "model-a" && m["modelUrl"]!.GetValue<string>() == folder);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        var (header, outputs) = await V2Client.ReadAsync(invoked);
        Assert.Equal("types-mme", header["model_name"]!.GetValue<string>());
        Assert.Equal(6, outputs.Count);
        var (_, targetedOutputs) = await V2Client.ReadAsync(targetedResponse);
        Assert.Equal(outputs["fp32_out"].Raw, targetedOutputs["fp32_out"].Raw);
        Assert.Equal(HttpStatusCode.OK, unload.StatusCode);
        await V2Client.ErrorAsync(gone, HttpStatusCode.NotFound);
        await V2Client.ErrorAsync(invokeGone, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Multi_model_load_outside_the_model_root_is_refused()
    {
        using var response = await PostJsonAsync("/models", new JsonObject { ["model_name"] = "escape", ["url"] = Path.Combine(fixture.SageMakerRoot, "..", "elsewhere") });

        Assert.Contains("url", await V2Client.ErrorAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Multi_model_load_that_cannot_fit_the_device_budget_answers_507()
    {
        var root = Directory.CreateTempSubdirectory("atelier-mme-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "store"));
            var isnet = Path.Combine(root, "artifacts", "isnet");
            Directory.CreateDirectory(isnet);
            foreach (var file in Directory.GetFiles(Path.Combine(ProtocolFixture.CacheModels, "isnet")))
            {
                File.Copy(file, Path.Combine(isnet, Path.GetFileName(file)));
            }

            await using var host = new ApiHost(ApiHost.Unlimited(
                ("Models:Store:RootPath", Path.Combine(root, "store")),
                ("Device:MemoryBudgetMB", "8"),
                ("SageMaker:Enabled", "true"),
                ("SageMaker:ModelRoot", Path.Combine(root, "artifacts"))));
            using var client = host.CreateClient();
            using var body = new StringContent(new JsonObject { ["model_name"] = "big", ["url"] = isnet }.ToJsonString(), Encoding.UTF8, "application/json");

            using var response = await client.PostAsync(new Uri("/models", UriKind.Relative), body);
            var list = JsonNode.Parse(await client.GetStringAsync(new Uri("/models", UriKind.Relative)))!;

            await V2Client.ErrorAsync(response, HttpStatusCode.InsufficientStorage);
            Assert.Empty(list["models"]!.AsArray());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private Task<HttpResponseMessage> PostJsonAsync(string path, JsonObject body) =>
        Client.PostAsync(new Uri(path, UriKind.Relative), new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));

    private async Task<HttpResponseMessage> SessionCallAsync(string id, string body, bool json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/invocations") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(SessionHeader, id);
        if (json)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        }

        return await Client.SendAsync(request);
    }

    [GeneratedRegex(@"^(?<id>[A-Za-z0-9_-]+); Expires=(?<expires>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$")]
    private static partial Regex NewSessionHeader();
}
