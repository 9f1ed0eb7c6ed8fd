using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Atelier.Models.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Atelier.Silo.Tests.KServe;

/// <summary>The real ISNet through KServe v2: the protocol returns exactly what ONNX Runtime computes in process.</summary>
[Collection(ProtocolCollection.Name)]
public sealed class IsnetProtocolTests(ProtocolFixture fixture)
{
    private static readonly long[] InputShape = [1, 3, 1024, 1024];

    [Fact]
    public async Task Isnet_metadata_is_read_from_the_onnx_file()
    {
        var metadata = JsonNode.Parse(await fixture.Client.GetStringAsync(new Uri("/v2/models/isnet", UriKind.Relative)))!;

        var input = metadata["inputs"]!.AsArray().Single()!;
        Assert.Equal("FP32", input["datatype"]!.GetValue<string>());
        Assert.Equal(4, input["shape"]!.AsArray().Count);
        Assert.Equal(1024, input["shape"]![3]!.GetValue<long>());
    }

    [Fact]
    public async Task Isnet_binary_infer_equals_the_in_process_run_and_json_equals_binary()
    {
        var input = Input(seed: 21);
        var name = JsonNode.Parse(await fixture.Client.GetStringAsync(new Uri("/v2/models/isnet", UriKind.Relative)))!["inputs"]![0]!["name"]!.GetValue<string>();
        var tensor = new V2Tensor(name, "FP32", InputShape, input);

        using var binary = await fixture.Client.PostAsync(new Uri("/v2/models/isnet/infer", UriKind.Relative), V2Client.Binary([tensor]));
        var (_, fromBinary) = await V2Client.ReadAsync(binary);
        using var json = await fixture.Client.PostAsync(new Uri("/v2/models/isnet/infer", UriKind.Relative), V2Client.Json([tensor]));
        var (_, fromJson) = await V2Client.ReadAsync(json);
        var expected = RunInProcess(name, input);

        Assert.Equal(expected.Keys.Order(), fromBinary.Keys.Order());
        foreach (var (output, raw) in expected)
        {
            Assert.Equal(raw, fromBinary[output].Raw);
            Assert.Equal(raw, fromJson[output].Raw);
        }
    }

    private static byte[] Input(int seed)
    {
        var random = new Random(seed);
        var raw = new byte[3 * 1024 * 1024 * 4];
        for (var i = 0; i < raw.Length; i += 4)
        {
            BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i), (float)(random.NextDouble() - 0.5));
        }

        return raw;
    }

    /// <summary>ISNet run directly on ONNX Runtime with the silo's default session options.</summary>
    private static Dictionary<string, byte[]> RunInProcess(string inputName, byte[] input)
    {
        var (session, _) = OnnxSessions.Open(Path.Combine(ProtocolFixture.CacheModels, "isnet", "model.onnx"), new InferenceSessionOptions());
        using (session)
        {
            var floats = new float[input.Length / 4];
            Buffer.BlockCopy(input, 0, floats, 0, input.Length);
            using var value = OrtValue.CreateTensorValueFromMemory(floats, InputShape);
            using var results = session.Run(new RunOptions(), [inputName], [value], session.OutputNames);
            var outputs = new Dictionary<string, byte[]>();
            var i = 0;
            foreach (var result in results)
            {
                outputs[session.OutputNames[i++]] = result.GetTensorMutableRawData().ToArray();
            }

            return outputs;
        }
    }
}
