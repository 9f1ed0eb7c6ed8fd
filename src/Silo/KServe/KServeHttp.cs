using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Atelier.Models.Tensors;
using Atelier.Silo.Errors;
using Microsoft.AspNetCore.Http.Features;

namespace Atelier.Silo.KServe;

/// <summary>
/// The HTTP side of a v2 inference call, shared by <c>/v2/models/{name}/infer</c> and SageMaker's invocations: reads
/// the body (bounded), splits it at <c>Inference-Header-Content-Length</c> into the JSON header and the binary tensor
/// data, runs through <see cref="InferenceModels"/>, and writes the response JSON with binary outputs appended.
/// </summary>
internal static class KServeHttp
{
    /// <summary>The binary tensor data extension's header: length of the JSON part at the start of the body.</summary>
    public const string HeaderLengthHeader = "Inference-Header-Content-Length";

    public static async Task InferAsync(
        HttpContext context, InferenceModels models, InferenceTarget target, KServeOptions options, long maxBytes, CancellationToken ct)
    {
        var (buffer, length) = await ReadBodyAsync(context, maxBytes, ct).ConfigureAwait(false);
        try
        {
            var body = buffer.AsMemory(0, length);
            var headerLength = length;
            if (context.Request.Headers[HeaderLengthHeader] is { Count: > 0 } values)
            {
                if (values.Count > 1 || !int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out headerLength)
                    || headerLength < 1 || headerLength > length)
                {
                    throw RequestRejectedException.Invalid(HeaderLengthHeader, $"must be one integer in 1..{length} (the body's length)");
                }
            }

            var request = InferRequest.Parse(body[..headerLength], body[headerLength..], options);
            string[]? names = null;
            if (request.Outputs.Count > 0)
            {
                names = new string[request.Outputs.Count];
                for (var i = 0; i < names.Length; i++)
                {
                    names[i] = request.Outputs[i].Name;
                }
            }

            var outputs = await models.InferAsync(target, request.Inputs, names, ct).ConfigureAwait(false);
            await WriteResponseAsync(context, target, request, outputs, ct).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The body in a pooled buffer (the caller returns it); 413 beyond <paramref name="maxBytes"/>.</summary>
    public static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(HttpContext context, long maxBytes, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }

        return await Endpoints.RequestBodies.ReadPooledAsync(request, maxBytes, 64 * 1024, () => TooLarge(maxBytes), cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteResponseAsync(
        HttpContext context, InferenceTarget target, InferRequest request, IReadOnlyList<RawTensor> outputs, CancellationToken cancellationToken)
    {
        var header = new ArrayBufferWriter<byte>(1024);
        var anyBinary = false;
        using (var writer = new Utf8JsonWriter(header))
        {
            writer.WriteStartObject();
            writer.WriteString("model_name", target.Name);
            writer.WriteString("model_version", target.Version);
            if (request.Id is not null)
            {
                writer.WriteString("id", request.Id);
            }

            writer.WriteStartArray("outputs");
            for (var i = 0; i < outputs.Count; i++)
            {
                var output = outputs[i];
                var binary = request.Outputs.Count > 0 ? request.Outputs[i].Binary : request.BinaryOutputs;
                writer.WriteStartObject();
                writer.WriteString("name", output.Name);
                writer.WriteString("datatype", TensorDatatype.NameOf(output.ElementType));
                writer.WriteStartArray("shape");
                foreach (var dim in output.Shape)
                {
                    writer.WriteNumberValue(dim);
                }

                writer.WriteEndArray();
                if (binary)
                {
                    anyBinary = true;
                    writer.WriteStartObject("parameters");
                    writer.WriteNumber("binary_data_size", output.Data.Length);
                    writer.WriteEndObject();
                }
                else
                {
                    writer.WritePropertyName("data");
                    TensorJson.Write(writer, output.ElementType, output.Data.Span);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        long total = header.WrittenCount;
        if (anyBinary)
        {
            for (var i = 0; i < outputs.Count; i++)
            {
                if (request.Outputs.Count > 0 ? request.Outputs[i].Binary : request.BinaryOutputs)
                {
                    total += outputs[i].Data.Length;
                }
            }

            response.Headers[HeaderLengthHeader] = header.WrittenCount.ToString(CultureInfo.InvariantCulture);
        }

        response.ContentType = anyBinary ? "application/octet-stream" : "application/json";
        response.ContentLength = total;

        // Every part goes into the response pipe, then one flush: one write to the socket for a small answer.
        var body = response.BodyWriter;
        body.Write(header.WrittenSpan);
        for (var i = 0; anyBinary && i < outputs.Count; i++)
        {
            if (request.Outputs.Count > 0 ? request.Outputs[i].Binary : request.BinaryOutputs)
            {
                body.Write(outputs[i].Data.Span);
            }
        }

        await body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static RequestRejectedException TooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge, $"the request body is over {maxBytes} bytes");
}
