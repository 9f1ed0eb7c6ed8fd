using System.Buffers.Binary;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Atelier.Bench.Infrastructure;
using Atelier.Models.Forge;
using Atelier.Models.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Bench;

/// <summary>
/// KServe v2 protocol overhead (issue 21), side by side in one run: the same graph on the same input run in process on
/// ONNX Runtime, and through a silo process's <c>POST /v2/models/{name}/infer</c> over loopback with the binary tensor
/// extension and with JSON tensors. ISNet (<c>[1,3,1024,1024]</c> FP32 in, 12 MiB) and <c>types-demo</c> (six
/// <c>[1,4]</c> tensors, one per datatype). Both sides use ONNX Runtime's global thread pool with the same thread counts.
/// </summary>
internal sealed class ProtocolsBenchmark : IBenchmark
{
    public string Name => "protocols";

    public string Description => "KServe v2 infer (binary and JSON, silo process over loopback) vs the in-process ORT run: ISNet and the every-datatype tiny model";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var store = Directory.CreateTempSubdirectory("atelier-bench-protocols-").FullName;
        try
        {
            var models = Path.Combine(context.CacheRoot, "models");
            foreach (var id in new[] { "isnet", "sam-demo" })
            {
                Directory.CreateSymbolicLink(Path.Combine(store, id), Path.Combine(models, id));
            }

            await TypesDemoForge.WriteAsync(Path.Combine(store, TypesDemoForge.Id), cancellationToken).ConfigureAwait(false);
            var threads = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture);
            await using var silo = await SiloProcess.StartAsync("bench-protocols", context.CacheRoot, new Dictionary<string, string>
            {
                ["ATELIER__Models__Store__RootPath"] = store,
                ["ATELIER__Onnx__IntraOpThreads"] = threads,
                ["ATELIER__Onnx__InterOpThreads"] = "1",
            }, cancellationToken).ConfigureAwait(false);

            await context.Output.WriteLineAsync($"silo process on loopback, one keep-alive connection, sequential calls; ORT intra-op threads {threads} on both sides").ConfigureAwait(false);
            await MarkdownTable.WriteHeaderAsync(context.Output, "model", "candidate", "median ms", "p90 ms", "overhead vs in-process").ConfigureAwait(false);

            // "protocols tiny" skips ISNet (minutes on 2 cores).
            if (!context.Arguments.Contains("tiny"))
            {
                await MeasureAsync(
                    context, silo.Http, "isnet", Path.Combine(models, "isnet", "model.onnx"), IsnetInput(),
                    warmUp: 2, rounds: 3, callsPerRound: 4, jsonRounds: 2, cancellationToken).ConfigureAwait(false);
            }

            await MeasureAsync(context, silo.Http, TypesDemoForge.Id, Path.Combine(store, TypesDemoForge.Id, "model.onnx"), TypesInput(),
                warmUp: 50, rounds: 5, callsPerRound: 200, jsonRounds: 5, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(store, recursive: true);
        }
    }

    private static async Task MeasureAsync(
        BenchContext context, HttpClient http, string model, string path, Tensor[] inputs, int warmUp, int rounds, int callsPerRound, int jsonRounds,
        CancellationToken cancellationToken)
    {
        var (session, _) = OnnxSessions.Open(path, new InferenceSessionOptions());
        using (session)
        {
            var names = inputs.Select(i => i.Name).ToArray();
            var values = inputs.Select(i =>
            {
                var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, i.Type, i.Shape);
                i.Raw.CopyTo(value.GetTensorMutableRawData());
                return value;
            }).ToArray();
            try
            {
                var outputs = session.OutputNames.ToArray();
                var binary = BinaryBody(inputs);
                var json = JsonBody(inputs);
                var uri = new Uri($"v2/models/{model}/infer", UriKind.Relative);
                (string Name, Func<Task> Call)[] candidates =
                [
                    ("in-process ORT run", () =>
                    {
                        using var results = session.Run(new RunOptions(), names, values, outputs);
                        return Task.CompletedTask;
                    }),
                    ("v2 infer, binary tensors", () => PostAsync(http, uri, binary.Body, binary.HeaderLength, cancellationToken)),
                    ("v2 infer, JSON tensors", () => PostAsync(http, uri, json, null, cancellationToken)),
                ];

                // A small model gets all three interleaved; ISNet's JSON call (tens of seconds) gets fewer calls of its own.
                var interleaved = jsonRounds == rounds ? candidates : candidates[..2];
                var stats = await InterleavedRounds.MeasureAsync(interleaved, warmUp, rounds, callsPerRound, cancellationToken).ConfigureAwait(false);
                var jsonStats = jsonRounds == rounds
                    ? [stats[2]]
                    : await InterleavedRounds.MeasureAsync([candidates[2]], Math.Min(warmUp, 2), jsonRounds, Math.Max(1, callsPerRound / 4), cancellationToken).ConfigureAwait(false);

                var raw = stats[0].Median;
                await WriteAsync(context, model, candidates[0].Name, stats[0], raw).ConfigureAwait(false);
                await WriteAsync(context, model, candidates[1].Name, stats[1], raw).ConfigureAwait(false);
                await WriteAsync(context, model, "v2 infer, JSON tensors", jsonStats[0], raw).ConfigureAwait(false);
                await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"| {model} | JSON / binary | {jsonStats[0].Median / stats[1].Median:0.00}x | | body {json.Length / 1024.0:0.0} KiB JSON vs {binary.Body.Length / 1024.0:0.0} KiB binary |")).ConfigureAwait(false);
            }
            finally
            {
                foreach (var value in values)
                {
                    value.Dispose();
                }
            }
        }
    }

    private static Task WriteAsync(BenchContext context, string model, string candidate, Stats stats, double raw) =>
        context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"| {model} | {candidate} | {stats.Median:0.000} | {stats.P90:0.000} | {(stats.Median - raw) * 1000:0} µs ({(stats.Median - raw) / raw * 100:0.0} %) |"));

    private static async Task PostAsync(HttpClient http, Uri uri, byte[] body, int? headerLength, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(headerLength is null ? "application/json" : "application/octet-stream");
        if (headerLength is { } length)
        {
            content.Headers.Add("Inference-Header-Content-Length", length.ToString(CultureInfo.InvariantCulture));
        }

        using var response = await http.PostAsync(uri, content, cancellationToken).ConfigureAwait(false);
        var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{uri} answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(answer.AsSpan(0, Math.Min(answer.Length, 500)))}");
        }
    }

    private sealed record Tensor(string Name, string Datatype, TensorElementType Type, long[] Shape, byte[] Raw);

    private static Tensor[] IsnetInput()
    {
        var random = new Random(11);
        var raw = new byte[3 * 1024 * 1024 * 4];
        for (var i = 0; i < raw.Length; i += 4)
        {
            BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i), (float)(random.NextDouble() - 0.5));
        }

        return [new Tensor("input", "FP32", TensorElementType.Float, [1, 3, 1024, 1024], raw)];
    }

    private static Tensor[] TypesInput() =>
    [
        new("fp32", "FP32", TensorElementType.Float, [1, 4], [.. BitConverter.GetBytes(1.5f), .. BitConverter.GetBytes(2f), .. BitConverter.GetBytes(-3f), .. BitConverter.GetBytes(4.25f)]),
        new("fp16", "FP16", TensorElementType.Float16, [1, 4], [0x00, 0x3C, 0x00, 0x40, 0x00, 0xB8, 0x00, 0x34]),
        new("int64", "INT64", TensorElementType.Int64, [1, 4], [.. BitConverter.GetBytes(1L << 40), .. BitConverter.GetBytes(-2L), .. BitConverter.GetBytes(3L), .. BitConverter.GetBytes(4L)]),
        new("int32", "INT32", TensorElementType.Int32, [1, 4], [.. BitConverter.GetBytes(-7), .. BitConverter.GetBytes(7), .. BitConverter.GetBytes(0), .. BitConverter.GetBytes(1)]),
        new("uint8", "UINT8", TensorElementType.UInt8, [1, 4], [0, 1, 128, 255]),
        new("bool", "BOOL", TensorElementType.Bool, [1, 4], [1, 0, 1, 0]),
    ];

    private static (byte[] Body, int HeaderLength) BinaryBody(Tensor[] inputs)
    {
        var header = Header(inputs, binary: true);
        var body = new byte[header.Length + inputs.Sum(i => i.Raw.Length)];
        header.CopyTo(body, 0);
        var offset = header.Length;
        foreach (var input in inputs)
        {
            input.Raw.CopyTo(body, offset);
            offset += input.Raw.Length;
        }

        return (body, header.Length);
    }

    private static byte[] JsonBody(Tensor[] inputs) => Header(inputs, binary: false);

    private static byte[] Header(Tensor[] inputs, bool binary)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("inputs");
            foreach (var input in inputs)
            {
                writer.WriteStartObject();
                writer.WriteString("name", input.Name);
                writer.WriteString("datatype", input.Datatype);
                writer.WriteStartArray("shape");
                foreach (var dim in input.Shape)
                {
                    writer.WriteNumberValue(dim);
                }

                writer.WriteEndArray();
                if (binary)
                {
                    writer.WriteStartObject("parameters");
                    writer.WriteNumber("binary_data_size", input.Raw.Length);
                    writer.WriteEndObject();
                }
                else
                {
                    writer.WriteStartArray("data");
                    WriteElements(writer, input);
                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            if (binary)
            {
                writer.WriteStartObject("parameters");
                writer.WriteBoolean("binary_data_output", true);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static void WriteElements(Utf8JsonWriter writer, Tensor input)
    {
        var raw = input.Raw.AsSpan();
        switch (input.Type)
        {
            case TensorElementType.Float:
                for (var i = 0; i < raw.Length; i += 4) { writer.WriteNumberValue(BinaryPrimitives.ReadSingleLittleEndian(raw[i..])); }
                break;
            case TensorElementType.Float16:
                for (var i = 0; i < raw.Length; i += 2) { writer.WriteNumberValue((float)BinaryPrimitives.ReadHalfLittleEndian(raw[i..])); }
                break;
            case TensorElementType.Int64:
                for (var i = 0; i < raw.Length; i += 8) { writer.WriteNumberValue(BinaryPrimitives.ReadInt64LittleEndian(raw[i..])); }
                break;
            case TensorElementType.Int32:
                for (var i = 0; i < raw.Length; i += 4) { writer.WriteNumberValue(BinaryPrimitives.ReadInt32LittleEndian(raw[i..])); }
                break;
            case TensorElementType.UInt8:
                foreach (var b in raw) { writer.WriteNumberValue(b); }
                break;
            case TensorElementType.Bool:
                foreach (var b in raw) { writer.WriteBooleanValue(b != 0); }
                break;
            default:
                throw new NotSupportedException(input.Datatype);
        }
    }
}
