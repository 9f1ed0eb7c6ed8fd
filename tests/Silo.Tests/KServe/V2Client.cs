using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Atelier.Silo.Tests.KServe;

/// <summary>A tensor as a test sends or reads it: protocol datatype, shape, little-endian raw bytes.</summary>
public sealed record V2Tensor(string Name, string Datatype, long[] Shape, byte[] Raw)
{
    public static V2Tensor Of(string name, long[] shape, params float[] values) => new(name, "FP32", shape, Bytes(values, 4, (v, s) => BinaryPrimitives.WriteSingleLittleEndian(s, v)));

    public static V2Tensor OfHalf(string name, long[] shape, params float[] values) => new(name, "FP16", shape, Bytes(values, 2, (v, s) => BinaryPrimitives.WriteHalfLittleEndian(s, (Half)v)));

    public static V2Tensor Of(string name, long[] shape, params long[] values) => new(name, "INT64", shape, Bytes(values, 8, (v, s) => BinaryPrimitives.WriteInt64LittleEndian(s, v)));

    public static V2Tensor Of(string name, long[] shape, params int[] values) => new(name, "INT32", shape, Bytes(values, 4, (v, s) => BinaryPrimitives.WriteInt32LittleEndian(s, v)));

    public static V2Tensor Of(string name, long[] shape, params byte[] values) => new(name, "UINT8", shape, values);

    public static V2Tensor Of(string name, long[] shape, params bool[] values) => new(name, "BOOL", shape, Array.ConvertAll(values, b => b ? (byte)1 : (byte)0));

    /// <summary>The elements as JSON values (what the JSON form of the protocol carries).</summary>
    public JsonArray JsonData()
    {
        var array = new JsonArray();
        for (var i = 0; i < Raw.Length; i += Size(Datatype))
        {
            var s = Raw.AsSpan(i);
            array.Add(Datatype switch
            {
                "FP32" => JsonValue.Create(BinaryPrimitives.ReadSingleLittleEndian(s)),
                "FP16" => JsonValue.Create((float)BinaryPrimitives.ReadHalfLittleEndian(s)),
                "INT64" => JsonValue.Create(BinaryPrimitives.ReadInt64LittleEndian(s)),
                "INT32" => JsonValue.Create(BinaryPrimitives.ReadInt32LittleEndian(s)),
                "UINT8" => JsonValue.Create(s[0]),
                "BOOL" => JsonValue.Create(s[0] != 0),
                _ => throw new NotSupportedException(Datatype),
            });
        }

        return array;
    }

    /// <summary>Raw bytes of JSON <paramref name="data"/> of <paramref name="datatype"/> (the test's own reading of the spec).</summary>
    public static byte[] FromJson(string datatype, JsonArray data)
    {
        var size = Size(datatype);
        var raw = new byte[data.Count * size];
        for (var i = 0; i < data.Count; i++)
        {
            var s = raw.AsSpan(i * size);
            var node = data[i]!;
            switch (datatype)
            {
                case "FP32": BinaryPrimitives.WriteSingleLittleEndian(s, float.Parse(node.ToJsonString(), CultureInfo.InvariantCulture)); break;
                case "FP16": BinaryPrimitives.WriteHalfLittleEndian(s, (Half)double.Parse(node.ToJsonString(), CultureInfo.InvariantCulture)); break;
                case "INT64": BinaryPrimitives.WriteInt64LittleEndian(s, node.GetValue<long>()); break;
                case "INT32": BinaryPrimitives.WriteInt32LittleEndian(s, node.GetValue<int>()); break;
                case "UINT8": s[0] = node.GetValue<byte>(); break;
                case "BOOL": s[0] = node.GetValue<bool>() ? (byte)1 : (byte)0; break;
                default: throw new NotSupportedException(datatype);
            }
        }

        return raw;
    }

    public static int Size(string datatype) => datatype switch
    {
        "FP32" or "INT32" => 4,
        "FP16" => 2,
        "INT64" => 8,
        "UINT8" or "BOOL" => 1,
        _ => throw new NotSupportedException(datatype),
    };

    private static byte[] Bytes<T>(T[] values, int size, Action<T, Span<byte>> write)
    {
        var raw = new byte[values.Length * size];
        for (var i = 0; i < values.Length; i++)
        {
            write(values[i], raw.AsSpan(i * size));
        }

        return raw;
    }
}

/// <summary>Builds v2 inference requests (JSON or binary extension) and reads responses of either form.</summary>
public static class V2Client
{
    public const string HeaderLength = "Inference-Header-Content-Length";

    /// <summary>A request with every input as JSON data.</summary>
    public static HttpContent Json(IEnumerable<V2Tensor> inputs, string? id = null, IEnumerable<string>? outputs = null)
    {
        var body = new JsonObject();
        if (id is not null)
        {
            body["id"] = id;
        }

        var array = new JsonArray();
        foreach (var input in inputs)
        {
            array.Add(new JsonObject
            {
                ["name"] = input.Name,
                ["datatype"] = input.Datatype,
                ["shape"] = new JsonArray(input.Shape.Select(d => (JsonNode)d).ToArray()),
                ["data"] = input.JsonData(),
            });
        }

        body["inputs"] = array;
        if (outputs is not null)
        {
            body["outputs"] = new JsonArray(outputs.Select(o => (JsonNode)new JsonObject { ["name"] = o }).ToArray());
        }

        return new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
    }

    /// <summary>A request with every input in the binary section and every output asked for in binary.</summary>
    public static HttpContent Binary(IEnumerable<V2Tensor> inputs)
    {
        var list = inputs.ToList();
        var header = new JsonObject
        {
            ["inputs"] = new JsonArray(list.Select(i => (JsonNode)new JsonObject
            {
                ["name"] = i.Name,
                ["datatype"] = i.Datatype,
                ["shape"] = new JsonArray(i.Shape.Select(d => (JsonNode)d).ToArray()),
                ["parameters"] = new JsonObject { ["binary_data_size"] = i.Raw.Length },
            }).ToArray()),
            ["parameters"] = new JsonObject { ["binary_data_output"] = true },
        };
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var body = new MemoryStream();
        body.Write(json);
        foreach (var input in list)
        {
            body.Write(input.Raw);
        }

        var content = new ByteArrayContent(body.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add(HeaderLength, json.Length.ToString(CultureInfo.InvariantCulture));
        return content;
    }

    /// <summary>The outputs of a 200 response, JSON or binary, as raw tensors by name.</summary>
    public static async Task<(JsonObject Header, Dictionary<string, V2Tensor> Outputs)> ReadAsync(HttpResponseMessage response)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, Encoding.UTF8.GetString(bytes.AsSpan(0, Math.Min(bytes.Length, 2000))));
        var headerLength = response.Headers.TryGetValues(HeaderLength, out var values) ? int.Parse(values.Single(), CultureInfo.InvariantCulture) : bytes.Length;
        var header = JsonNode.Parse(bytes.AsSpan(0, headerLength))!.AsObject();
        var offset = headerLength;
        var outputs = new Dictionary<string, V2Tensor>();
        foreach (var node in header["outputs"]!.AsArray())
        {
            var name = node!["name"]!.GetValue<string>();
            var datatype = node["datatype"]!.GetValue<string>();
            var shape = node["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
            byte[] raw;
            if (node["parameters"]?["binary_data_size"] is { } size)
            {
                raw = bytes.AsSpan(offset, size.GetValue<int>()).ToArray();
                offset += raw.Length;
            }
            else
            {
                raw = V2Tensor.FromJson(datatype, node["data"]!.AsArray());
            }

            outputs[name] = new V2Tensor(name, datatype, shape, raw);
        }

        Assert.Equal(bytes.Length, offset);
        return (header, outputs);
    }

    /// <summary>The <c>error</c> of a protocol error response, after checking its status.</summary>
    public static async Task<string> ErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {body}");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var error = JsonNode.Parse(body)!["error"]!.GetValue<string>();
        Assert.False(string.IsNullOrWhiteSpace(error));
        return error;
    }
}
