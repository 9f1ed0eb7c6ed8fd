using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Atelier.Silo.Tests.KServe;

/// <summary>KServe v2 REST through the real HTTP pipeline and ONNX Runtime, on the generated every-datatype model.</summary>
[Collection(ProtocolCollection.Name)]
public sealed class KServeRestTests(ProtocolFixture fixture)
{
    private static readonly long[] Shape = [2, 4];

    private HttpClient Client => fixture.Client;

    /// <summary>One input per claimed datatype, with values at the edges of each type.</summary>
    private static V2Tensor[] TypesInputs() =>
    [
        V2Tensor.Of("fp32", Shape, 1.5f, -0.1f, 3.4e38f / 4, 1e-40f, 0f, -2f, 7.25f, 123456.7f),
        V2Tensor.OfHalf("fp16", Shape, 0.25f, -1.5f, 1000f, 0.1f, 0f, -0f, 2048f, 3.140625f),
        V2Tensor.Of("int64", Shape, 1L << 40, -(1L << 40), 0L, 1L, -1L, long.MaxValue / 2, long.MinValue / 2, 42L),
        V2Tensor.Of("int32", Shape, -7, 7, int.MaxValue / 2, int.MinValue / 2, 0, 1, -1, 1000),
        V2Tensor.Of("uint8", Shape, (byte)0, (byte)1, (byte)127, (byte)128, (byte)254, (byte)255, (byte)9, (byte)200),
        V2Tensor.Of("bool", Shape, true, false, true, true, false, false, true, false),
    ];

    [Fact]
    public async Task Server_metadata_lists_the_supported_extensions()
    {
        var metadata = JsonNode.Parse(await Client.GetStringAsync(new Uri("/v2", UriKind.Relative)))!;

        Assert.Equal("atelier", metadata["name"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(metadata["version"]!.GetValue<string>()));
        Assert.Equal(["binary_tensor_data", "model_repository"], metadata["extensions"]!.AsArray().Select(e => e!.GetValue<string>()).Order());
    }

    [Fact]
    public async Task Server_live_and_ready_answer_200()
    {
        using var live = await Client.GetAsync(new Uri("/v2/health/live", UriKind.Relative));
        using var ready = await Client.GetAsync(new Uri("/v2/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Model_metadata_reads_datatypes_and_shapes_from_the_onnx_file()
    {
        var metadata = JsonNode.Parse(await Client.GetStringAsync(new Uri("/v2/models/types-demo", UriKind.Relative)))!;

        Assert.Equal("types-demo", metadata["name"]!.GetValue<string>());
        Assert.Equal("onnxruntime_onnx", metadata["platform"]!.GetValue<string>());
        var inputs = metadata["inputs"]!.AsArray().ToDictionary(i => i!["name"]!.GetValue<string>(), i => i!["datatype"]!.GetValue<string>());
        Assert.Equal(new Dictionary<string, string> { ["fp32"] = "FP32", ["fp16"] = "FP16", ["int64"] = "INT64", ["int32"] = "INT32", ["uint8"] = "UINT8", ["bool"] = "BOOL" }, inputs);
        Assert.All(metadata["outputs"]!.AsArray(), o => Assert.Equal("[-1,4]", o!["shape"]!.ToJsonString()));
    }

    [Fact]
    public async Task Model_version_must_match_the_manifest_version()
    {
        var version = JsonNode.Parse(await Client.GetStringAsync(new Uri("/v2/models/types-demo", UriKind.Relative)))!["versions"]![0]!.GetValue<string>();

        using var matching = await Client.GetAsync(new Uri($"/v2/models/types-demo/versions/{version}", UriKind.Relative));
        using var other = await Client.GetAsync(new Uri("/v2/models/types-demo/versions/no-such-version", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, matching.StatusCode);
        await V2Client.ErrorAsync(other, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Each_file_of_a_multi_file_model_is_named_id_dot_role()
    {
        var encoder = JsonNode.Parse(await Client.GetStringAsync(new Uri("/v2/models/sam-demo.encoder", UriKind.Relative)))!;
        var decoder = JsonNode.Parse(await Client.GetStringAsync(new Uri("/v2/models/sam-demo.decoder", UriKind.Relative)))!;
        using var whole = await Client.GetAsync(new Uri("/v2/models/sam-demo", UriKind.Relative));

        Assert.Equal("sam-demo.encoder", encoder["name"]!.GetValue<string>());
        Assert.Contains(decoder["inputs"]!.AsArray(), i => i!["name"]!.GetValue<string>() == "point_coords");
        await V2Client.ErrorAsync(whole, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Unknown_model_answers_404_with_an_error()
    {
        using var metadata = await Client.GetAsync(new Uri("/v2/models/no-such-model", UriKind.Relative));
        using var infer = await Client.PostAsync(new Uri("/v2/models/no-such-model/infer", UriKind.Relative), V2Client.Json(TypesInputs()));

        Assert.Contains("no-such-model", await V2Client.ErrorAsync(metadata, HttpStatusCode.NotFound), StringComparison.Ordinal);
        await V2Client.ErrorAsync(infer, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Json_infer_computes_every_datatype()
    {
        var inputs = TypesInputs();
        using var response = await Client.PostAsync(new Uri("/v2/models/types-demo/infer", UriKind.Relative), V2Client.Json(inputs, id: "req-1"));

        var (header, outputs) = await V2Client.ReadAsync(response);

        Assert.Equal("req-1", header["id"]!.GetValue<string>());
        Assert.Equal("types-demo", header["model_name"]!.GetValue<string>());
        Assert.Equal(6, outputs.Count);
        foreach (var output in outputs.Values)
        {
            Assert.Equal(Shape, output.Shape);
        }

        Assert.Equal(Doubled(inputs[0], 4, (s, d) => BitConverter.GetBytes(BitConverter.ToSingle(s) * 2).CopyTo(d)), outputs["fp32_out"].Raw);
        Assert.Equal(Doubled(inputs[1], 2, (s, d) => BitConverter.GetBytes((Half)((float)BitConverter.ToHalf(s) * 2)).CopyTo(d)), outputs["fp16_out"].Raw);
        Assert.Equal(Doubled(inputs[2], 8, (s, d) => BitConverter.GetBytes(BitConverter.ToInt64(s) * 2).CopyTo(d)), outputs["int64_out"].Raw);
        Assert.Equal(Doubled(inputs[3], 4, (s, d) => BitConverter.GetBytes(BitConverter.ToInt32(s) * 2).CopyTo(d)), outputs["int32_out"].Raw);
        Assert.Equal(inputs[4].Raw, outputs["uint8_out"].Raw);
        Assert.Equal(Array.ConvertAll(inputs[5].Raw, b => b == 0 ? (byte)1 : (byte)0), outputs["bool_out"].Raw);
        Assert.Equal(["BOOL", "FP16", "FP32", "INT32", "INT64", "UINT8"], outputs.Values.Select(o => o.Datatype).Order());
    }

    [Fact]
    public async Task Binary_and_json_infer_give_identical_outputs()
    {
        var inputs = TypesInputs();
        using var json = await Client.PostAsync(new Uri("/v2/models/types-demo/infer", UriKind.Relative), V2Client.Json(inputs));
        using var binary = await Client.PostAsync(new Uri("/v2/models/types-demo/infer", UriKind.Relative), V2Client.Binary(inputs));

        var (_, fromJson) = await V2Client.ReadAsync(json);
        var (binaryHeader, fromBinary) = await V2Client.ReadAsync(binary);

        Assert.Equal("application/octet-stream", binary.Content.Headers.ContentType?.MediaType);
        Assert.All(binaryHeader["outputs"]!.AsArray(), o => Assert.Null(o!["data"]));
        Assert.Equal(fromJson.Keys.Order(), fromBinary.Keys.Order());
        foreach (var (name, output) in fromJson)
        {
            Assert.Equal(output.Raw, fromBinary[name].Raw);
            Assert.Equal(output.Shape, fromBinary[name].Shape);
        }
    }

    [Fact]
    public async Task Requested_outputs_are_the_only_ones_returned_in_their_order()
    {
        using var response = await Client.PostAsync(new Uri("/v2/models/types-demo/infer", UriKind.Relative),
            V2Client.Json(TypesInputs(), outputs: ["bool_out", "int32_out"]));

        var (header, _) = await V2Client.ReadAsync(response);

        Assert.Equal(["bool_out", "int32_out"], header["outputs"]!.AsArray().Select(o => o!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Shape_mismatch_answers_400_naming_the_input()
    {
        var inputs = TypesInputs();
        inputs[0] = V2Tensor.Of("fp32", [2, 2, 2], 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f);

        using var response = await Client.PostAsync(new Uri("/v2/models/types-demo/infer", UriKind.Relative), V2Client.Json(inputs));

        var error = await V2Client.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("'fp32'", error, StringComparison.Ordinal);
        Assert.Contains("shape", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Datatype_mismatch_answers_400_naming_both_types()
    {
        var inputs = TypesInputs();
        inputs[3] = V2Tensor.Of("int32", Shape, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);

        using var response = await Client.PostAsync(new Uri("/v2/models/types-demo/infer", UriKind.Relative), V2Client.Binary(inputs));

        var error = await V2Client.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("INT64", error, StringComparison.Ordinal);
        Assert.Contains("INT32", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_count_that_does_not_match_the_shape_answers_400()
    {
        var inputs = TypesInputs();
        inputs[4] = inputs[4] with { Raw = [1, 2, 3] };

        using var response = await Client.PostAsync(new Uri("/v2/models/types-demo/infer", UriKind.Relative), V2Client.Json(inputs));

        Assert.Contains("'uint8'", await V2Client.ErrorAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_and_unknown_inputs_answer_400()
    {
        var missing = TypesInputs()[..5];
        var unknown = TypesInputs().Append(V2Tensor.Of("extra", Shape, 1, 2, 3, 4, 5, 6, 7, 8)).ToArray();

        using var missingResponse = await Client.PostAsync(new Uri("/v2/models/types-demo/infer", UriKind.Relative), V2Client.Json(missing));
        using var unknownResponse = await Client.PostAsync(new Uri("/v2/models/types-demo/infer", UriKind.Relative), V2Client.Json(unknown));

        Assert.Contains("'bool'", await V2Client.ErrorAsync(missingResponse, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Contains("'extra'", await V2Client.ErrorAsync(unknownResponse, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_json_and_a_bad_header_length_answer_400()
    {
        using var malformed = await Client.PostAsync(new Uri("/v2/models/types-demo/infer", UriKind.Relative), new StringContent("{\"inputs\": [", Encoding.UTF8, "application/json"));
        var badLength = V2Client.Binary(TypesInputs());
        badLength.Headers.Remove(V2Client.HeaderLength);
        badLength.Headers.Add(V2Client.HeaderLength, "999999999");
        using var tooLong = await Client.PostAsync(new Uri("/v2/models/types-demo/infer", UriKind.Relative), badLength);

        await V2Client.ErrorAsync(malformed, HttpStatusCode.BadRequest);
        Assert.Contains(V2Client.HeaderLength, await V2Client.ErrorAsync(tooLong, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_over_the_limit_answers_413()
    {
        using var content = new ByteArrayContent(new byte[ProtocolFixture.MaxRequestBytes + 1]);
        content.Headers.ContentType = new("application/json");

        using var response = await Client.PostAsync(new Uri("/v2/models/types-demo/infer", UriKind.Relative), content);

        await V2Client.ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Repository_lists_every_onnx_file_and_load_unload_change_readiness()
    {
        using var unload = await Client.PostAsync(new Uri("/v2/repository/models/types-demo/unload", UriKind.Relative), null);
        using var unloaded = await Client.GetAsync(new Uri("/v2/models/types-demo/ready", UriKind.Relative));
        using var load = await Client.PostAsync(new Uri("/v2/repository/models/types-demo/load", UriKind.Relative), null);
        using var loaded = await Client.GetAsync(new Uri("/v2/models/types-demo/ready", UriKind.Relative));
        using var index = await Client.PostAsync(new Uri("/v2/repository/index", UriKind.Relative), new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, unload.StatusCode);
        await V2Client.ErrorAsync(unloaded, HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.OK, load.StatusCode);
        Assert.Equal(HttpStatusCode.OK, loaded.StatusCode);
        var models = JsonNode.Parse(await index.Content.ReadAsStringAsync())!.AsArray().ToDictionary(m => m!["name"]!.GetValue<string>(), m => m!["state"]!.GetValue<string>());
        Assert.Equal("READY", models["types-demo"]);
        Assert.Contains("isnet", models.Keys);
        Assert.Contains("sam-demo.encoder", models.Keys);
        Assert.Contains("sam-demo.decoder", models.Keys);
        Assert.DoesNotContain("sam-demo", models.Keys);
    }

    private static byte[] Doubled(V2Tensor input, int size, Action<byte[], byte[]> twice)
    {
        var result = new byte[input.Raw.Length];
        for (var i = 0; i < result.Length; i += size)
        {
            var element = new byte[size];
            twice(input.Raw.AsSpan(i, size).ToArray(), element);
            element.CopyTo(result, i);
        }

        return result;
    }
}
