using System.Collections.Immutable;

namespace Atelier.Runtime;

/// <summary>
/// The binary envelope of runtime frames. Layout (little-endian, strings and bytes length-prefixed):
/// <code>
/// [version][kind]
/// Request : callId:i64 caller:silo grainType:str key:str method:i32 context:(n:i32 {str str}) args:(n:i32 {value})
/// Response: status:u8  Ok: value | Error: exception (type, message, stack, answering silo's name) | NotHere: hasForward:u8 [address] | Canceled
/// Cancel  : callId:i64 caller:silo
/// Migrate : grainType:str key:str previous:address state:(n:i32 {str bytes})
/// </code>
/// A value is <see cref="PayloadSerializer"/>'s JSON plus raw blobs; <see cref="CancellationToken"/> arguments are
/// not sent (the callee gets a token the caller's cancel frame fires).
/// </summary>
internal static class MessageCodec
{
    public const byte Version = 1;

    public static FrameKind ReadKind(ReadOnlyMemory<byte> frame)
    {
        var span = frame.Span;
        if (span.Length < 2 || span[0] != Version)
        {
            throw new InvalidDataException("Not a runtime frame (bad version).");
        }

        return (FrameKind)span[1];
    }

    public static void WriteRequest(FrameWriter writer, long callId, SiloAddress caller, CallWorkItem call)
    {
        WriteHeader(writer, FrameKind.Request);
        writer.WriteInt64(callId);
        WriteSilo(writer, caller);
        writer.WriteString(call.GrainId.Type);
        writer.WriteString(call.GrainId.Key);
        writer.WriteInt32(call.Method.Index);
        var context = call.Context;
        writer.WriteInt32(context?.Count ?? 0);
        if (context is not null)
        {
            foreach (var pair in context)
            {
                writer.WriteString(pair.Key);
                writer.WriteString(pair.Value);
            }
        }

        var types = call.Method.ParameterTypes;
        writer.WriteInt32(types.Length);
        for (var i = 0; i < types.Length; i++)
        {
            if (i != call.Method.CancellationTokenIndex)
            {
                PayloadSerializer.Write(writer, call.Arguments[i], types[i]);
            }
        }
    }

    public static IncomingRequest ReadRequest(ReadOnlyMemory<byte> frame, Func<string, GrainInterfaceInfo> resolveInterface)
    {
        var reader = new FrameReader(frame);
        ReadHeader(ref reader, FrameKind.Request);
        var callId = reader.ReadInt64();
        var caller = ReadSilo(ref reader);
        var grainId = new GrainId(reader.ReadRequiredString(), reader.ReadRequiredString());
        var grainInterface = resolveInterface(grainId.Type);
        var index = reader.ReadInt32();
        if ((uint)index >= (uint)grainInterface.Methods.Length)
        {
            throw new InvalidDataException($"Frame: method {index} does not exist on {grainInterface.Name}.");
        }

        var method = grainInterface.Methods[index];
        var contextCount = reader.ReadInt32();
        ImmutableDictionary<string, string>? context = null;
        if (contextCount > 0)
        {
            var builder = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < contextCount; i++)
            {
                builder[reader.ReadRequiredString()] = reader.ReadRequiredString();
            }

            context = builder.ToImmutable();
        }

        var count = reader.ReadInt32();
        if (count != method.ParameterTypes.Length)
        {
            throw new InvalidDataException($"Frame: {method.Method.Name} takes {method.ParameterTypes.Length} arguments, the frame has {count}.");
        }

        var arguments = new object?[count];
        for (var i = 0; i < count; i++)
        {
            arguments[i] = i == method.CancellationTokenIndex ? CancellationToken.None : PayloadSerializer.Read(ref reader, method.ParameterTypes[i]);
        }

        return new IncomingRequest(callId, caller, grainId, grainInterface, method, arguments, context);
    }

    public static ReadOnlyMemory<byte> EncodeOk(object? result, GrainMethod method)
    {
        using var writer = new FrameWriter();
        WriteHeader(writer, FrameKind.Response);
        writer.WriteByte((byte)ResponseStatus.Ok);
        if (method.ResultType is { } type)
        {
            PayloadSerializer.Write(writer, result, type);
        }

        return writer.WrittenMemory.ToArray();
    }

    /// <summary>An error response; <paramref name="origin"/> names the silo answering (see <see cref="ExceptionOrigin"/>).</summary>
    public static ReadOnlyMemory<byte> EncodeError(Exception exception, string origin)
    {
        using var writer = new FrameWriter();
        WriteHeader(writer, FrameKind.Response);
        writer.WriteByte((byte)ResponseStatus.Error);
        ExceptionCodec.Write(writer, exception, origin);
        return writer.WrittenMemory.ToArray();
    }

    public static ReadOnlyMemory<byte> EncodeNotHere(GrainAddress? forward)
    {
        using var writer = new FrameWriter(64);
        WriteHeader(writer, FrameKind.Response);
        writer.WriteByte((byte)ResponseStatus.NotHere);
        writer.WriteByte(forward is null ? (byte)0 : (byte)1);
        if (forward is not null)
        {
            WriteAddress(writer, forward);
        }

        return writer.WrittenMemory.ToArray();
    }

    public static ReadOnlyMemory<byte> EncodeCanceled()
    {
        using var writer = new FrameWriter(8);
        WriteHeader(writer, FrameKind.Response);
        writer.WriteByte((byte)ResponseStatus.Canceled);
        return writer.WrittenMemory.ToArray();
    }

    public static ReadOnlyMemory<byte> EncodeAddress(GrainAddress address)
    {
        using var writer = new FrameWriter(128);
        WriteHeader(writer, FrameKind.Response);
        writer.WriteByte((byte)ResponseStatus.Ok);
        WriteAddress(writer, address);
        return writer.WrittenMemory.ToArray();
    }

    /// <summary>Reads a call response: returns the result or throws what the callee threw.</summary>
    public static object? ReadResponse(ReadOnlyMemory<byte> frame, GrainMethod method, CancellationToken callerToken)
    {
        var reader = new FrameReader(frame);
        var status = ReadStatus(ref reader);
        return status switch
        {
            ResponseStatus.Ok => method.ResultType is { } type ? PayloadSerializer.Read(ref reader, type) : null,
            _ => throw ReadFailure(ref reader, status, callerToken),
        };
    }

    /// <summary>Reads a migration response: the new activation's address.</summary>
    public static GrainAddress ReadAddressResponse(ReadOnlyMemory<byte> frame)
    {
        var reader = new FrameReader(frame);
        var status = ReadStatus(ref reader);
        return status == ResponseStatus.Ok ? ReadAddress(ref reader) : throw ReadFailure(ref reader, status, default);
    }

    public static void WriteCancel(FrameWriter writer, long callId, SiloAddress caller)
    {
        WriteHeader(writer, FrameKind.Cancel);
        writer.WriteInt64(callId);
        WriteSilo(writer, caller);
    }

    public static (long CallId, SiloAddress Caller) ReadCancel(ReadOnlyMemory<byte> frame)
    {
        var reader = new FrameReader(frame);
        ReadHeader(ref reader, FrameKind.Cancel);
        return (reader.ReadInt64(), ReadSilo(ref reader));
    }

    public static void WriteMigrate(FrameWriter writer, GrainAddress previous, MigrationContext state)
    {
        WriteHeader(writer, FrameKind.Migrate);
        WriteAddress(writer, previous);
        writer.WriteInt32(state.Values.Count);
        foreach (var pair in state.Values)
        {
            writer.WriteString(pair.Key);
            writer.WriteBytes(pair.Value.Span);
        }
    }

    public static (GrainAddress Previous, MigrationContext State) ReadMigrate(ReadOnlyMemory<byte> frame)
    {
        var reader = new FrameReader(frame);
        ReadHeader(ref reader, FrameKind.Migrate);
        var previous = ReadAddress(ref reader);
        var state = new MigrationContext();
        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            state.Set(reader.ReadRequiredString(), reader.ReadBytes());
        }

        return (previous, state);
    }

    private static Exception ReadFailure(ref FrameReader reader, ResponseStatus status, CancellationToken callerToken) => status switch
    {
        ResponseStatus.Error => ExceptionCodec.Read(ref reader),
        ResponseStatus.NotHere => new ActivationUnavailableException(reader.ReadByte() == 1 ? ReadAddress(ref reader) : null),
        ResponseStatus.Canceled => new OperationCanceledException("The grain call was canceled on the remote silo.", callerToken),
        _ => new InvalidDataException($"Frame: unknown response status {status}."),
    };

    private static ResponseStatus ReadStatus(ref FrameReader reader)
    {
        ReadHeader(ref reader, FrameKind.Response);
        return (ResponseStatus)reader.ReadByte();
    }

    private static void WriteHeader(FrameWriter writer, FrameKind kind)
    {
        writer.WriteByte(Version);
        writer.WriteByte((byte)kind);
    }

    private static void ReadHeader(ref FrameReader reader, FrameKind expected)
    {
        if (reader.ReadByte() != Version)
        {
            throw new InvalidDataException("Frame: unsupported version.");
        }

        var kind = (FrameKind)reader.ReadByte();
        if (kind != expected)
        {
            throw new InvalidDataException($"Frame: expected {expected}, got {kind}.");
        }
    }

    private static void WriteSilo(FrameWriter writer, SiloAddress silo)
    {
        writer.WriteString(silo.Endpoint);
        writer.WriteInt64(silo.Generation);
    }

    private static SiloAddress ReadSilo(ref FrameReader reader) => new(reader.ReadRequiredString(), reader.ReadInt64());

    private static void WriteAddress(FrameWriter writer, GrainAddress address)
    {
        writer.WriteString(address.GrainId.Type);
        writer.WriteString(address.GrainId.Key);
        WriteSilo(writer, address.Silo);
        writer.WriteGuid(address.ActivationId);
    }

    private static GrainAddress ReadAddress(ref FrameReader reader) =>
        new(new GrainId(reader.ReadRequiredString(), reader.ReadRequiredString()), ReadSilo(ref reader), reader.ReadGuid());
}
