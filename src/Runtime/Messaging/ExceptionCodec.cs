namespace Atelier.Runtime;

/// <summary>
/// Exceptions across silos: type name, assembly-qualified name, message and stack trace travel; the caller rebuilds
/// the original type when it is an <see cref="Exception"/> type it can load that has a <c>(string message)</c>
/// constructor, else a <see cref="RemoteGrainException"/> that keeps the original type name. Only exception types
/// are ever instantiated from a frame. Last comes the name of the silo that answered (<see cref="ExceptionOrigin"/>);
/// a frame that ends before it (a silo of an older build) rebuilds an exception without an origin.
/// </summary>
internal static class ExceptionCodec
{
    /// <param name="writer">The frame being written.</param>
    /// <param name="exception">What the call threw.</param>
    /// <param name="origin">Name of the silo answering the call (this one).</param>
    public static void Write(FrameWriter writer, Exception exception, string origin)
    {
        var type = exception.GetType();
        if (exception is RemoteGrainException remote)
        {
            writer.WriteString(remote.RemoteTypeName);
            writer.WriteString(null);
        }
        else
        {
            writer.WriteString(type.FullName);
            writer.WriteString(type.AssemblyQualifiedName);
        }

        writer.WriteString(exception.Message);
        writer.WriteString(exception.StackTrace);
        writer.WriteString(origin);
    }

    public static Exception Read(ref FrameReader reader)
    {
        var typeName = reader.ReadString() ?? typeof(Exception).FullName!;
        var qualifiedName = reader.ReadString();
        var message = reader.ReadString() ?? string.Empty;
        var stackTrace = reader.ReadString();
        var exception = Rebuild(typeName, qualifiedName, message, stackTrace);
        if (!reader.IsAtEnd && reader.ReadString() is { Length: > 0 } origin)
        {
            ExceptionOrigin.Set(exception, origin);
        }

        return exception;
    }

    private static Exception Rebuild(string typeName, string? qualifiedName, string message, string? stackTrace)
    {
        if (qualifiedName is not null
            && Type.GetType(qualifiedName, throwOnError: false) is { } type
            && typeof(Exception).IsAssignableFrom(type)
            && type.GetConstructor([typeof(string)]) is { } constructor)
        {
            try
            {
                return (Exception)constructor.Invoke([message]);
            }
#pragma warning disable CA1031 // A constructor that throws just means we cannot rebuild the type.
            catch (Exception)
#pragma warning restore CA1031
            {
                // fall through to the typed remote exception
            }
        }

        return new RemoteGrainException(typeName, message, stackTrace);
    }
}
