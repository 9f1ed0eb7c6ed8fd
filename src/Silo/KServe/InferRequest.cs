using System.Text.Json;
using Atelier.Models.Tensors;
using Atelier.Silo.Errors;

namespace Atelier.Silo.KServe;

/// <summary>One output the client asked for, and whether it wants it in the binary section.</summary>
internal readonly record struct RequestedOutput(string Name, bool Binary);

/// <summary>
/// A KServe v2 inference request: <c>id</c>, the input tensors (from JSON <c>data</c> or from the binary section after the
/// JSON header, in input order, sized by <c>parameters.binary_data_size</c>), the requested outputs (none: all of them)
/// and whether outputs go in the binary section by default (<c>parameters.binary_data_output</c>).
/// </summary>
internal sealed record InferRequest(string? Id, IReadOnlyList<RawTensor> Inputs, IReadOnlyList<RequestedOutput> Outputs, bool BinaryOutputs)
{
    /// <summary>Parses the JSON header <paramref name="json"/>; <paramref name="binary"/> is the rest of the body (may be empty).</summary>
    /// <exception cref="RequestRejectedException">400: the request does not follow the protocol or the limits.</exception>
    public static InferRequest Parse(ReadOnlyMemory<byte> json, ReadOnlyMemory<byte> binary, KServeOptions options)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = options.MaxJsonDepth });
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw RequestRejectedException.Invalid("body", "must be a JSON object");
        }

        string? id = null;
        if (root.TryGetProperty("id", out var idElement))
        {
            id = idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : throw RequestRejectedException.Invalid("id", "must be a string");
        }

        var binaryOutputs = Flag(root, "binary_data_output", "parameters.binary_data_output") ?? false;
        if (!root.TryGetProperty("inputs", out var inputsElement) || inputsElement.ValueKind != JsonValueKind.Array || inputsElement.GetArrayLength() == 0)
        {
            throw RequestRejectedException.Invalid("inputs", "a non-empty array of tensors is required");
        }

        if (inputsElement.GetArrayLength() > options.MaxTensors)
        {
            throw RequestRejectedException.Invalid("inputs", $"at most {options.MaxTensors} tensors (KServe:MaxTensors)");
        }

        var inputs = new List<RawTensor>(inputsElement.GetArrayLength());
        var offset = 0;
        foreach (var input in inputsElement.EnumerateArray())
        {
            inputs.Add(ParseInput(input, binary, ref offset, options));
        }

        if (offset != binary.Length)
        {
            throw RequestRejectedException.Invalid("body", $"the binary section holds {binary.Length} bytes, the inputs' binary_data_size add up to {offset}");
        }

        var outputs = new List<RequestedOutput>();
        if (root.TryGetProperty("outputs", out var outputsElement))
        {
            if (outputsElement.ValueKind != JsonValueKind.Array || outputsElement.GetArrayLength() > options.MaxTensors)
            {
                throw RequestRejectedException.Invalid("outputs", $"must be an array of at most {options.MaxTensors} outputs");
            }

            foreach (var output in outputsElement.EnumerateArray())
            {
                var name = Name(output, "outputs[]");
                outputs.Add(new RequestedOutput(name, Flag(output, "binary_data", $"output '{name}': parameters.binary_data") ?? binaryOutputs));
            }
        }

        return new InferRequest(id, inputs, outputs, binaryOutputs);
    }

    private static RawTensor ParseInput(JsonElement input, ReadOnlyMemory<byte> binary, ref int offset, KServeOptions options)
    {
        var name = Name(input, "inputs[]");
        var field = $"input '{name}'";
        if (!input.TryGetProperty("datatype", out var datatype) || !TensorDatatype.TryParse(datatype.ValueKind == JsonValueKind.String ? datatype.GetString() : null, out var type))
        {
            throw RequestRejectedException.Invalid(field, "datatype must be one of BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BF16");
        }

        if (!input.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array || shapeElement.GetArrayLength() > 16)
        {
            throw RequestRejectedException.Invalid(field, "shape must be an array of at most 16 dimensions");
        }

        var shape = new long[shapeElement.GetArrayLength()];
        var i = 0;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (!dim.TryGetInt64(out shape[i]) || shape[i] < 0)
            {
                throw RequestRejectedException.Invalid(field, "shape dimensions must be non-negative integers");
            }

            i++;
        }

        var count = RawTensor.ElementCount(shape, options.MaxElementsPerTensor);
        if (count < 0 || count > options.MaxElementsPerTensor)
        {
            throw RequestRejectedException.Invalid(field, $"at most {options.MaxElementsPerTensor} elements per tensor (KServe:MaxElementsPerTensor)");
        }

        var bytes = checked((int)(count * TensorDatatype.SizeOf(type)));
        var hasData = input.TryGetProperty("data", out var data);
        if (input.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object
            && parameters.TryGetProperty("binary_data_size", out var sizeElement))
        {
            if (hasData)
            {
                throw RequestRejectedException.Invalid(field, "has both data and parameters.binary_data_size");
            }

            if (!sizeElement.TryGetInt32(out var size) || size < 0 || size > binary.Length - offset)
            {
                throw RequestRejectedException.Invalid(field, $"parameters.binary_data_size must fit the {binary.Length - offset} bytes left in the binary section");
            }

            if (size != bytes)
            {
                throw RequestRejectedException.Invalid(field, $"binary_data_size {size} does not match shape [{string.Join(',', shape)}] of {TensorDatatype.NameOf(type)} ({bytes} bytes)");
            }

            var slice = binary.Slice(offset, size);
            offset += size;
            return new RawTensor(name, type, shape, slice);
        }

        if (!hasData)
        {
            throw RequestRejectedException.Invalid(field, "data (or parameters.binary_data_size) is required");
        }

        var buffer = new byte[bytes];
        TensorJson.Read(data, type, buffer, name);
        return new RawTensor(name, type, shape, buffer);
    }

    private static string Name(JsonElement tensor, string field) =>
        tensor.ValueKind == JsonValueKind.Object && tensor.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
        && name.GetString() is { Length: > 0 and <= 256 } text
            ? text
            : throw RequestRejectedException.Invalid(field, "each tensor needs a name of 1..256 characters");

    private static bool? Flag(JsonElement owner, string parameter, string field)
    {
        if (!owner.TryGetProperty("parameters", out var parameters))
        {
            return null;
        }

        if (parameters.ValueKind != JsonValueKind.Object)
        {
            throw RequestRejectedException.Invalid(field, "parameters must be an object");
        }

        if (!parameters.TryGetProperty(parameter, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw RequestRejectedException.Invalid(field, "must be true or false"),
        };
    }
}
