using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Atelier.Models.Tensors;
using Atelier.Silo.Errors;
using Atelier.Silo.Security;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Silo.KServe.Grpc;

/// <summary>
/// <c>inference.GRPCInferenceService</c> (proto/kserve/grpc_service.proto) on Grpc.AspNetCore, served on the silo's gRPC
/// port. The same core as the REST surface (<see cref="InferenceModels"/>): model names, model host, budget, errors.
/// Inputs come as <c>raw_input_contents</c> (one entry per input) or typed <c>contents</c>; outputs always go back as
/// <c>raw_output_contents</c>. Callers authenticate like REST (<c>authorization: Bearer</c> or <c>x-api-key</c>
/// metadata), except ServerLive and ServerReady.
/// </summary>
internal sealed class KServeInferenceService(
    InferenceModels models, HealthCheckService health, ApiKeyStore keys, TenantRateLimiter limiter, IOptions<KServeOptions> options)
    : GRPCInferenceService.GRPCInferenceServiceBase
{
    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    public override async Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        new() { Ready = await KServeEndpoints.IsSiloReadyAsync(health, context.CancellationToken).ConfigureAwait(false) };

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context)
    {
        Authenticate(context);
        var response = new ServerMetadataResponse { Name = "atelier", Version = KServeEndpoints.ServerVersion };
        response.Extensions.Add(KServeEndpoints.Extensions);
        return Task.FromResult(response);
    }

    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context) =>
        GuardAsync(async () =>
        {
            var target = await ResolveAsync(request.Name, request.Version, context).ConfigureAwait(false);
            return new ModelReadyResponse { Ready = models.IsReady(target) };
        });

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context) =>
        GuardAsync(async () =>
        {
            var target = await ResolveAsync(request.Name, request.Version, context).ConfigureAwait(false);
            var (inputs, outputs) = await models.SignatureAsync(target, context.CancellationToken).ConfigureAwait(false);
            var response = new ModelMetadataResponse { Name = target.Name, Platform = KServeEndpoints.Platform };
            response.Versions.Add(target.Version);
            foreach (var input in inputs)
            {
                response.Inputs.Add(Metadata(input));
            }

            foreach (var output in outputs)
            {
                response.Outputs.Add(Metadata(output));
            }

            return response;
        });

    public override Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context) =>
        GuardAsync(async () =>
        {
            var target = await ResolveAsync(request.ModelName, request.ModelVersion, context).ConfigureAwait(false);
            var inputs = Inputs(request, options.Value);
            string[]? names = null;
            if (request.Outputs.Count > 0)
            {
                if (request.Outputs.Count > options.Value.MaxTensors)
                {
                    throw RequestRejectedException.Invalid("outputs", $"at most {options.Value.MaxTensors} outputs (KServe:MaxTensors)");
                }

                names = new string[request.Outputs.Count];
                for (var i = 0; i < names.Length; i++)
                {
                    names[i] = request.Outputs[i].Name;
                }
            }

            var outputs = await models.InferAsync(target, inputs, names, context.CancellationToken).ConfigureAwait(false);
            var response = new ModelInferResponse { ModelName = target.Name, ModelVersion = target.Version, Id = request.Id };
            foreach (var output in outputs)
            {
                var tensor = new ModelInferResponse.Types.InferOutputTensor { Name = output.Name, Datatype = TensorDatatype.NameOf(output.ElementType) };
                tensor.Shape.Add(output.Shape);
                response.Outputs.Add(tensor);
                response.RawOutputContents.Add(UnsafeByteOperations.UnsafeWrap(output.Data));
            }

            return response;
        });

    private static IReadOnlyList<RawTensor> Inputs(ModelInferRequest request, KServeOptions options)
    {
        if (request.Inputs.Count == 0 || request.Inputs.Count > options.MaxTensors)
        {
            throw RequestRejectedException.Invalid("inputs", $"1..{options.MaxTensors} tensors are required");
        }

        var raw = request.RawInputContents.Count > 0;
        if (raw && request.RawInputContents.Count != request.Inputs.Count)
        {
            throw RequestRejectedException.Invalid("raw_input_contents",
                $"holds {request.RawInputContents.Count} entries for {request.Inputs.Count} inputs (one per input, in order)");
        }

        var tensors = new RawTensor[request.Inputs.Count];
        for (var i = 0; i < tensors.Length; i++)
        {
            var input = request.Inputs[i];
            var field = $"input '{input.Name}'";
            if (!TensorDatatype.TryParse(input.Datatype, out var type))
            {
                throw RequestRejectedException.Invalid(field, $"datatype '{input.Datatype}' is not supported");
            }

            var shape = input.Shape.ToArray();
            var count = RawTensor.ElementCount(shape, options.MaxElementsPerTensor);
            if (shape.Length > 16 || count < 0 || count > options.MaxElementsPerTensor)
            {
                throw RequestRejectedException.Invalid(field, $"the shape must have at most 16 non-negative dimensions and {options.MaxElementsPerTensor} elements");
            }

            if (raw)
            {
                if (input.Contents is not null)
                {
                    throw RequestRejectedException.Invalid(field, "contents must not be set when raw_input_contents is used");
                }

                tensors[i] = new RawTensor(input.Name, type, shape, request.RawInputContents[i].Memory);
                continue;
            }

            tensors[i] = new RawTensor(input.Name, type, shape, FromContents(input.Contents, type, (int)count, field));
        }

        return tensors;
    }

    /// <summary>Typed contents → raw little-endian bytes; the element count must match the shape.</summary>
    private static byte[] FromContents(InferTensorContents? contents, TensorElementType type, int count, string field)
    {
        if (contents is null)
        {
            throw RequestRejectedException.Invalid(field, "contents (or raw_input_contents) are required");
        }

        var size = TensorDatatype.SizeOf(type);
        var bytes = new byte[count * size];
        int given;
        switch (type)
        {
            case TensorElementType.Bool:
                given = contents.BoolContents.Count;
                for (var i = 0; i < Math.Min(given, count); i++)
                {
                    bytes[i] = contents.BoolContents[i] ? (byte)1 : (byte)0;
                }

                break;
            case TensorElementType.Int8 or TensorElementType.Int16 or TensorElementType.Int32:
                given = contents.IntContents.Count;
                for (var i = 0; i < Math.Min(given, count); i++)
                {
                    var v = contents.IntContents[i];
                    if (type == TensorElementType.Int8 ? v is < sbyte.MinValue or > sbyte.MaxValue : type == TensorElementType.Int16 && v is < short.MinValue or > short.MaxValue)
                    {
                        throw RequestRejectedException.Invalid(field, $"element {i} ({v}) does not fit {TensorDatatype.NameOf(type)}");
                    }

                    WriteLittleEndian(bytes.AsSpan(i * size, size), (ulong)(uint)v);
                }

                break;
            case TensorElementType.UInt8 or TensorElementType.UInt16 or TensorElementType.UInt32:
                given = contents.UintContents.Count;
                for (var i = 0; i < Math.Min(given, count); i++)
                {
                    var v = contents.UintContents[i];
                    if ((type == TensorElementType.UInt8 && v > byte.MaxValue) || (type == TensorElementType.UInt16 && v > ushort.MaxValue))
                    {
                        throw RequestRejectedException.Invalid(field, $"element {i} ({v}) does not fit {TensorDatatype.NameOf(type)}");
                    }

                    WriteLittleEndian(bytes.AsSpan(i * size, size), v);
                }

                break;
            case TensorElementType.Int64:
                given = contents.Int64Contents.Count;
                MemoryMarshal.AsBytes(Clip(contents.Int64Contents, count)).CopyTo(bytes);
                break;
            case TensorElementType.UInt64:
                given = contents.Uint64Contents.Count;
                MemoryMarshal.AsBytes(Clip(contents.Uint64Contents, count)).CopyTo(bytes);
                break;
            case TensorElementType.Float:
                given = contents.Fp32Contents.Count;
                MemoryMarshal.AsBytes(Clip(contents.Fp32Contents, count)).CopyTo(bytes);
                break;
            case TensorElementType.Double:
                given = contents.Fp64Contents.Count;
                MemoryMarshal.AsBytes(Clip(contents.Fp64Contents, count)).CopyTo(bytes);
                break;
            default:
                throw RequestRejectedException.Invalid(field, $"{TensorDatatype.NameOf(type)} travels only in raw_input_contents");
        }

        if (given != count)
        {
            throw RequestRejectedException.Invalid(field, $"contents hold {given} elements, the shape needs {count}");
        }

        Debug.Assert(BitConverter.IsLittleEndian, "the raw layout is little-endian; typed contents are copied as the host stores them");
        return bytes;
    }

    private static ReadOnlySpan<T> Clip<T>(Google.Protobuf.Collections.RepeatedField<T> values, int count)
    {
        var array = new T[Math.Min(values.Count, count)];
        values.CopyTo(array, 0);
        return array;
    }

    private static void WriteLittleEndian(Span<byte> destination, ulong value)
    {
        switch (destination.Length)
        {
            case 1: destination[0] = (byte)value; break;
            case 2: BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)value); break;
            default: BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)value); break;
        }
    }

    private static ModelMetadataResponse.Types.TensorMetadata Metadata(TensorSignature signature)
    {
        var metadata = new ModelMetadataResponse.Types.TensorMetadata
        {
            Name = signature.Name,
            Datatype = TensorDatatype.NameOf(signature.ElementType) ?? signature.ElementType.ToString().ToUpperInvariant(),
        };
        metadata.Shape.Add(signature.Shape);
        return metadata;
    }

    private Task<InferenceTarget> ResolveAsync(string name, string version, ServerCallContext context) =>
        models.ResolveAsync(name, version.Length == 0 ? null : version, Authenticate(context), context.CancellationToken);

    /// <summary>The caller's tenant from <c>authorization: Bearer</c> or <c>x-api-key</c> (every caller when keys are off), after its rate limit.</summary>
    private TenantIdentity Authenticate(ServerCallContext context)
    {
        TenantIdentity? identity;
        if (keys.IsOpen)
        {
            identity = keys.DevelopmentIdentity;
        }
        else
        {
            var presented = context.RequestHeaders.GetValue("authorization") is { } authorization
                && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? authorization["Bearer ".Length..].Trim()
                    : context.RequestHeaders.GetValue("x-api-key")?.Trim() ?? "";
            identity = presented.Length == 0 ? null : keys.Find(presented);
            if (identity is null)
            {
                throw new RpcException(new Status(StatusCode.Unauthenticated, "An API key is required: 'authorization: Bearer <key>' or 'x-api-key: <key>'."));
            }
        }

        if (limiter.TryAcquire(identity.Tenant) is not null)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, "The request rate of this tenant is over its limit."));
        }

        return identity;
    }

    /// <summary>Maps errors through the silo's one table (<see cref="ExceptionMapping"/>) to gRPC status codes.</summary>
    private static async Task<T> GuardAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RpcException and not OperationCanceledException && ExceptionMapping.Map(e) is { } mapping)
        {
            throw new RpcException(new Status(CodeOf(mapping.Status), mapping.Detail ?? e.Message));
        }
    }

    private static StatusCode CodeOf(int status) => status switch
    {
        400 or 413 or 415 or 422 => StatusCode.InvalidArgument,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.NotFound,
        409 => StatusCode.FailedPrecondition,
        429 => StatusCode.ResourceExhausted,
        501 => StatusCode.Unimplemented,
        503 => StatusCode.Unavailable,
        _ => StatusCode.Internal,
    };
}
